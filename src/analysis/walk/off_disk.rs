//! A method called on a value whose type is named by a path into a crate that is on disk nowhere
//! the index reads (undeclared, not fetched) and that the tables do not describe
//! (`x: &undeclared::Thing`, `x.request()`): what the method returns is as unknown as for a
//! receiver of unknown type, so what the file's other calls of the method name say decides
//! (`x.request().await` at every other call): a future inferred from use, a guess, a warning
//! at most. One call of the name in the file that is not awaited, on any receiver, and nothing is
//! inferred; a name of std's sync methods (`clone`, `len`) never is.

use super::Walker;
use crate::analysis::value::Val;

impl Walker<'_, '_> {
    /// Whether `path`, a type the index does not hold, is in a crate neither on disk (no crate
    /// of the context or its dependencies has the name) nor in the tables, std's included.
    pub(super) fn type_off_disk(&self, path: &str) -> bool {
        let mut segs = crate::knowledge::path_str::segments(path);
        let (Some(first), Some(_)) = (segs.next(), segs.next()) else {
            return false;
        };
        !matches!(
            first,
            "" | "std" | "core" | "alloc" | "crate" | "self" | "super" | "Self"
        ) && self.cx.index.crate_named(self.module, first).is_none()
            && !self.cx.knowledge.describes_crate(first)
    }

    /// Method `name` on a receiver of a type [`Self::type_off_disk`]: the file's evidence.
    pub(super) fn off_disk_receiver_method(&self, name: &str) -> Val {
        if crate::knowledge::std_sync_method(name) {
            return Val::Unknown;
        }
        self.awaited_elsewhere_as(&format!(".{name}"), &format!("method `{name}`"))
    }
}
