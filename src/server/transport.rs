//! JSON-RPC framing over standard input and output: `Content-Length` headers, then the JSON
//! body. One thread reads, one writes.
//!
//! lsp-server's own stdio transport ends the connection on the first payload that is not a
//! message, and its responses cannot carry the `null` id that JSON-RPC asks for when a request
//! cannot be read; this one answers such input with an error and reads on.

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use std::io::{BufRead, Read, Write};

/// A payload larger than this is skipped as malformed (no editor sends 256 MB in one message).
const MAX_BODY: usize = 256 << 20;

/// What the reader hands to the main loop.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Input that is not a JSON-RPC message: answer with this error (`id` is `null` when the
    /// request's id could not be read).
    Malformed {
        id: serde_json::Value,
        code: i32,
        message: String,
    },
    /// Standard input closed (or failed): time to go.
    Closed,
}

/// Sends messages to the writer thread.
#[derive(Clone)]
pub struct Outgoing {
    /// `None` asks the writer to stop once what came before is written.
    tx: Sender<Option<String>>,
}

impl Outgoing {
    pub fn send(&self, message: Message) {
        match serde_json::to_value(&message) {
            Ok(mut value) => {
                if let Some(map) = value.as_object_mut() {
                    map.insert("jsonrpc".into(), "2.0".into());
                }
                self.send_value(&value);
            }
            Err(e) => eprintln!("unawaited server: cannot serialise a message: {e}"),
        }
    }

    /// An error response whose id may be `null` (malformed input).
    pub fn send_error(&self, id: serde_json::Value, code: i32, message: &str) {
        self.send_value(&serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": code, "message": message},
        }));
    }

    fn send_value(&self, value: &serde_json::Value) {
        // The writer only goes away when the process ends.
        let _ = self.tx.send(Some(value.to_string()));
    }

    /// Writes what is queued, then stops the writer (messages sent later are dropped).
    pub fn finish(&self) {
        let _ = self.tx.send(None);
    }
}

/// Starts the reader and writer threads on `input` and `output`. The writer thread ends after
/// `Outgoing::finish`, having written everything queued before: join it before exiting.
pub fn start<R, W>(
    input: R,
    output: W,
) -> (Receiver<Incoming>, Outgoing, std::thread::JoinHandle<()>)
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (in_tx, in_rx) = crossbeam_channel::unbounded();
    let (out_tx, out_rx) = crossbeam_channel::unbounded::<Option<String>>();
    std::thread::Builder::new()
        .name("unawaited-lsp-reader".into())
        .spawn(move || read_loop(std::io::BufReader::new(input), &in_tx))
        .expect("a reader thread");
    let writer = std::thread::Builder::new()
        .name("unawaited-lsp-writer".into())
        .spawn(move || {
            let mut output = output;
            while let Ok(Some(text)) = out_rx.recv() {
                let framed = write!(output, "Content-Length: {}\r\n\r\n{text}", text.len())
                    .and_then(|_| output.flush());
                if framed.is_err() {
                    // The client is gone; the reader sees stdin close.
                    break;
                }
            }
        })
        .expect("a writer thread");
    (in_rx, Outgoing { tx: out_tx }, writer)
}

fn read_loop(mut input: impl BufRead, tx: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(&mut input) {
            Frame::Closed => {
                let _ = tx.send(Incoming::Closed);
                return;
            }
            Frame::BadHeader(message) => malformed(serde_json::Value::Null, message),
            Frame::Body(body) => decode(&body),
        };
        if tx.send(incoming).is_err() {
            return;
        }
    }
}

fn malformed(id: serde_json::Value, message: String) -> Incoming {
    Incoming::Malformed {
        id,
        code: ErrorCode::ParseError as i32,
        message,
    }
}

/// Reads a JSON body as a message: not JSON is a parse error, JSON that is not a message an
/// invalid request (with its id when it has one).
pub fn decode(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return malformed(serde_json::Value::Null, format!("not JSON: {e}")),
    };
    let id = value
        .get("id")
        .filter(|id| id.is_number() || id.is_string())
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let method = value.get("method");
    let is_response = value.get("result").is_some() || value.get("error").is_some();
    if !value.is_object() || method.map_or(!is_response, |m| !m.is_string()) {
        return Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest as i32,
            message: "not a JSON-RPC message (batches are not part of LSP)".into(),
        };
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest as i32,
            message: format!("not a JSON-RPC request, response or notification: {e}"),
        },
    }
}

enum Frame {
    Body(Vec<u8>),
    BadHeader(String),
    Closed,
}

fn read_frame(input: &mut impl BufRead) -> Frame {
    let mut length: Option<usize> = None;
    let mut bad = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Frame::Closed,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => bad = Some(format!("bad header line `{line}`")),
        }
    }
    if let Some(message) = bad {
        return Frame::BadHeader(message);
    }
    let Some(length) = length else {
        return Frame::BadHeader("a message without a Content-Length header".into());
    };
    if length > MAX_BODY {
        // Skip it, to stay in step with the stream.
        let skipped = std::io::copy(&mut input.take(length as u64), &mut std::io::sink());
        if skipped.map_or(true, |n| n < length as u64) {
            return Frame::Closed;
        }
        return Frame::BadHeader(format!("a message of {length} bytes is too large"));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => Frame::Body(body),
        Err(_) => Frame::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (tx, rx) = crossbeam_channel::unbounded();
        read_loop(std::io::Cursor::new(input.as_bytes().to_vec()), &tx);
        rx.try_iter().collect()
    }

    #[test]
    fn malformed_input_is_answered_and_reading_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops\
             Content-Length: 9\r\n\r\n[1, 2, 3]\
             Content-Length: 14\r\n\r\n{{\"id\":7,\"x\":1}}\
             Content-Length: nine\r\n\r\n\
             Content-Length: {}\r\n\r\n{ok}",
            ok.len()
        );
        let got = frames(&input);
        let codes: Vec<String> = got
            .iter()
            .map(|i| match i {
                Incoming::Message(Message::Notification(n)) => n.method.clone(),
                Incoming::Message(_) => "other message".into(),
                Incoming::Malformed { id, code, .. } => format!("{code} {id}"),
                Incoming::Closed => "closed".into(),
            })
            .collect();
        assert_eq!(
            codes,
            [
                "-32700 null",
                "-32600 null",
                "-32600 7",
                "-32700 null",
                "initialized",
                "closed"
            ]
        );
    }

    #[test]
    fn a_truncated_body_closes() {
        let got = frames("Content-Length: 50\r\n\r\n{\"a\":");
        assert!(matches!(got.as_slice(), [Incoming::Closed]));
    }
}
