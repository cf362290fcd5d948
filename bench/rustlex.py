"""A small Rust lexer for the benchmark scripts (Python stdlib only).

It is not a parser: it splits a source file into tokens, skipping comments (nested block
comments included) and keeping string, raw string, byte string and char literals whole, and it
records for every line what the benchmark needs to pick seeding sites line by line:

- whether the line starts inside a comment or a string literal,
- whether a comment appears on the line,
- the stack of open brackets at the start of the line, each marked as a macro body
  (`name! { .. }`, `name!( .. )`, `macro_rules! name { .. }`), an attribute (`#[ .. ]`) or plain
  code,
- the last token before the line (to tell a statement that starts on the line from the
  continuation of one that started earlier).
"""

from dataclasses import dataclass, field

KEYWORDS = {
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "yield",
}

# Longest first, so that `<<=` wins over `<<` and `<`. `>>` is left as two `>` (generics).
PUNCTS = [
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "..",
]
ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>="}
OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {")", "]", "}"}
STRING_PREFIXES = {"b", "r", "br", "c", "cr"}


@dataclass
class Token:
    kind: str  # "ident", "lifetime", "literal", "punct"
    text: str
    line: int  # 0-based
    col: int  # 0-based character column of the first character


@dataclass
class Frame:
    char: str  # "(", "[" or "{"
    kind: str  # "code", "macro" or "attr"
    line: int


@dataclass
class LineInfo:
    starts_in_code: bool = True
    has_comment: bool = False
    stack: tuple = ()  # frames open at the start of the line
    prev: Token | None = None  # last token before the line
    prev_closed_attr: bool = False  # that token is the `]` of an attribute
    tokens: list = field(default_factory=list)  # tokens starting on the line


def _is_ident_start(ch):
    return ch == "_" or ch.isalpha()


def _is_ident_char(ch):
    return ch == "_" or ch.isalnum()


class Scan:
    """The result of lexing one file: `tokens` and one `LineInfo` per line."""

    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.info = [LineInfo() for _ in self.lines]
        self.tokens = []
        self._lex()

    # -- lexing ----------------------------------------------------------------------------

    def _lex(self):
        text = self.text
        n = len(text)
        i = 0
        line = 0
        line_start = 0
        # Line-start bookkeeping: every newline seen in code, comment or literal context.
        stack = []
        closed_attr = False
        self._mark_line(0, True, stack, None, False)

        def newline_at(pos, in_code):
            nonlocal line, line_start
            line += 1
            line_start = pos + 1
            prev = self.tokens[-1] if self.tokens else None
            self._mark_line(line, in_code, stack, prev, closed_attr)

        def skip_to(end, in_code_after_newlines):
            """Advances over text[i:end], registering newlines as not-in-code."""
            nonlocal i
            while True:
                nl = text.find("\n", i, end)
                if nl < 0:
                    break
                newline_at(nl, in_code_after_newlines)
                i = nl + 1
            i = end

        while i < n:
            ch = text[i]
            if ch == "\n":
                newline_at(i, True)
                i += 1
                continue
            if ch in " \t\r\f\v":
                i += 1
                continue
            col = i - line_start
            # Comments.
            if text.startswith("//", i):
                self.info[line].has_comment = True
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
            if text.startswith("/*", i):
                self.info[line].has_comment = True
                depth = 0
                j = i
                while j < n:
                    if text.startswith("/*", j):
                        depth += 1
                        j += 2
                    elif text.startswith("*/", j):
                        depth -= 1
                        j += 2
                        if depth == 0:
                            break
                    else:
                        j += 1
                start_line = line
                skip_to(j, False)
                for k in range(start_line + 1, line + 1):
                    self.info[k].has_comment = True
                continue
            # Identifiers, keywords and prefixed string literals.
            if _is_ident_start(ch):
                j = i + 1
                while j < n and _is_ident_char(text[j]):
                    j += 1
                word = text[i:j]
                if word in STRING_PREFIXES and j < n and text[j] in "\"#":
                    end = self._string_end(j, raw="r" in word)
                    if end is not None:
                        self._push("literal", i, end, line, col, skip_to)
                        closed_attr = False
                        continue
                if word in ("b",) and j < n and text[j] == "'":
                    end = self._char_end(j)
                    if end is not None:
                        self._push("literal", i, end, line, col, skip_to)
                        closed_attr = False
                        continue
                if word == "r" and j < n and text[j] == "#" and j + 1 < n and _is_ident_start(text[j + 1]):
                    k = j + 1
                    while k < n and _is_ident_char(text[k]):
                        k += 1
                    self._push("ident", i, k, line, col, skip_to)
                    closed_attr = False
                    continue
                self._push("ident", i, j, line, col, skip_to)
                closed_attr = False
                continue
            if ch.isdigit():
                j = i + 1
                while j < n and (_is_ident_char(text[j]) or (text[j] == "." and j + 1 < n and text[j + 1].isdigit()
                                                            and text[i:j].isdigit())):
                    j += 1
                self._push("literal", i, j, line, col, skip_to)
                closed_attr = False
                continue
            if ch == '"':
                end = self._string_end(i, raw=False)
                self._push("literal", i, n if end is None else end, line, col, skip_to)
                closed_attr = False
                continue
            if ch == "'":
                end = self._char_end(i)
                if end is not None:
                    self._push("literal", i, end, line, col, skip_to)
                else:  # a lifetime or a loop label
                    j = i + 1
                    while j < n and _is_ident_char(text[j]):
                        j += 1
                    self._push("lifetime", i, j, line, col, skip_to)
                closed_attr = False
                continue
            # Punctuation and brackets.
            if ch in OPEN:
                kind = "code"
                prev = self.tokens[-3:]
                if ch == "[" and prev and prev[-1].text == "#":
                    kind = "attr"
                elif ch == "[" and len(prev) >= 2 and prev[-1].text == "!" and prev[-2].text == "#":
                    kind = "attr"
                elif len(prev) >= 2 and prev[-1].text == "!" and prev[-2].kind == "ident" \
                        and prev[-2].text not in KEYWORDS:
                    kind = "macro"
                elif len(prev) >= 3 and prev[-1].kind == "ident" and prev[-2].text == "!" \
                        and prev[-3].text == "macro_rules":
                    kind = "macro"
                self._push("punct", i, i + 1, line, col, skip_to)
                stack.append(Frame(ch, kind, line))
                closed_attr = False
                continue
            if ch in CLOSE:
                self._push("punct", i, i + 1, line, col, skip_to)
                top = stack.pop() if stack else None
                closed_attr = top is not None and top.kind == "attr"
                continue
            for p in PUNCTS:
                if text.startswith(p, i):
                    self._push("punct", i, i + len(p), line, col, skip_to)
                    break
            else:
                self._push("punct", i, i + 1, line, col, skip_to)
            closed_attr = False

    def _mark_line(self, line, in_code, stack, prev, closed_attr):
        if line >= len(self.info):
            return
        info = self.info[line]
        info.starts_in_code = in_code
        info.stack = tuple(stack)
        info.prev = prev
        info.prev_closed_attr = closed_attr

    def _push(self, kind, start, end, line, col, skip_to, text=None):
        tok = Token(kind, text if text is not None else self.text[start:end], line, col)
        self.tokens.append(tok)
        if line < len(self.info):
            self.info[line].tokens.append(tok)
        # Literals may span lines: advance over them, marking the lines they cover.
        skip_to(end, False)

    def _string_end(self, i, raw):
        """End (exclusive) of the string literal whose opening `"` or `#` is at i, or None."""
        text = self.text
        n = len(text)
        if raw:
            hashes = 0
            while i < n and text[i] == "#":
                hashes += 1
                i += 1
            if i >= n or text[i] != '"':
                return None
            closing = '"' + "#" * hashes
            end = text.find(closing, i + 1)
            return n if end < 0 else end + len(closing)
        if text[i] != '"':
            return None
        j = i + 1
        while j < n:
            if text[j] == "\\":
                j += 2
            elif text[j] == '"':
                return j + 1
            else:
                j += 1
        return n

    def _char_end(self, i):
        """End of the char literal whose `'` is at i, or None for a lifetime or a label."""
        text = self.text
        n = len(text)
        if i + 1 >= n:
            return None
        if text[i + 1] == "\\":
            j = i + 3  # past the escaped character, which may itself be `'`
            while j < n and text[j] != "'" and text[j] != "\n":
                j += 1
            return j + 1 if j < n and text[j] == "'" else None
        if i + 2 < n and text[i + 2] == "'" and text[i + 1] != "\n":
            return i + 3
        return None


def matching_open(tokens, close_index):
    """Index of the bracket that opens the one closing at `close_index`, or None."""
    depth = 0
    for j in range(close_index, -1, -1):
        t = tokens[j].text
        if t in CLOSE:
            depth += 1
        elif t in OPEN:
            depth -= 1
            if depth == 0:
                return j
    return None
