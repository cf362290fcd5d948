//! Which async runtime code runs on, as far as the crates it names say, and what that runtime
//! offers to run blocking work: help that fits the code's own runtime.

/// A runtime with its own way to run blocking work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Runtime {
    Tokio,
    Actix,
    Ntex,
    AsyncStd,
    Smol,
}

impl Runtime {
    /// The runtime a crate name stands for (`actix_web`, `async_std`, ...).
    pub fn of_crate(name: &str) -> Option<Runtime> {
        Some(match name {
            "tokio" => Runtime::Tokio,
            "actix_web" => Runtime::Actix,
            "ntex" => Runtime::Ntex,
            "async_std" => Runtime::AsyncStd,
            "smol" => Runtime::Smol,
            _ => return None,
        })
    }

    /// The one runtime of a set of names: the frameworks first (actix-web and ntex run on a
    /// runtime of their own and have their own offload), else the only runtime named; `None`
    /// when several or none are.
    pub fn of_set(named: &[Runtime]) -> Option<Runtime> {
        for framework in [Runtime::Ntex, Runtime::Actix] {
            if named.contains(&framework) {
                return Some(framework);
            }
        }
        match named {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The runtime's call that runs a blocking closure on a thread meant for it.
    pub fn offload(self) -> &'static str {
        match self {
            Runtime::Tokio => "tokio::task::spawn_blocking",
            Runtime::Actix => "actix_web::web::block",
            Runtime::Ntex => "ntex::web::block",
            Runtime::AsyncStd => "async_std::task::spawn_blocking",
            Runtime::Smol => "smol::unblock",
        }
    }

    /// The runtime's async equivalent of a blocking std call, when it has one.
    pub fn equivalent(self, blocking: &str) -> Option<&'static str> {
        let fs = blocking.starts_with("std::fs::");
        Some(match (self, blocking) {
            (Runtime::Tokio | Runtime::Actix, "std::thread::sleep") => "tokio::time::sleep",
            (Runtime::Ntex, "std::thread::sleep") => "ntex::time::sleep",
            (Runtime::AsyncStd, "std::thread::sleep") => "async_std::task::sleep",
            (Runtime::Smol, "std::thread::sleep") => "smol::Timer::after",
            (Runtime::Tokio | Runtime::Actix, _) if fs => "tokio::fs",
            (Runtime::AsyncStd, _) if fs => "async_std::fs",
            (Runtime::Smol, _) if fs => "smol::fs",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_framework_wins_and_two_runtimes_are_none() {
        use Runtime::*;
        assert_eq!(Runtime::of_set(&[Tokio, Actix]), Some(Actix));
        assert_eq!(Runtime::of_set(&[Tokio]), Some(Tokio));
        assert_eq!(Runtime::of_set(&[Tokio, AsyncStd]), None);
        assert_eq!(Runtime::of_set(&[]), None);
        assert_eq!(Smol.equivalent("std::fs::read"), Some("smol::fs"));
        assert_eq!(Tokio.equivalent("std::sync::mpsc::Receiver::recv"), None);
    }
}
