//! Names and addresses read from text: the checks, and the [`Error::InvalidName`] they give.

use std::sync::Arc;

use super::{ActorPath, joined};
use crate::error::Error;

impl ActorPath {
    /// The address of a child named `name` under this one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] when `name` is not a valid actor name (see [`validate_name`]).
    ///
    /// See the example on [`ActorPath`].
    pub fn child(&self, name: &str) -> Result<Self, Error> {
        validate_name(name)?;
        let parent = if self.is_root() { "" } else { &*self.0 };
        Ok(ActorPath(joined(parent, name)))
    }

    /// Reads an address such as `/test/count`, checking every name in it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] when it does not start with `/` or a segment is not a valid name.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::ActorPath;
    ///
    /// assert_eq!(ActorPath::parse("/test/count").unwrap().name(), "count");
    /// assert!(ActorPath::parse("test").is_err());
    /// assert!(ActorPath::parse("/a//b").is_err());
    /// ```
    pub fn parse(path: &str) -> Result<Self, Error> {
        let Some(rest) = path.strip_prefix('/') else {
            return Err(Error::InvalidName {
                name: path.to_owned(),
                reason: "an address starts with `/`",
            });
        };
        if rest.is_empty() {
            return Ok(ActorPath::root());
        }
        rest.split('/').try_for_each(validate_name)?;
        Ok(ActorPath(Arc::from(path)))
    }
}

/// Checks that `name` can name an actor: non-empty, at most 255 bytes, without `/`, without
/// control characters or whitespace, and not `.` or `..`.
///
/// # Errors
///
/// [`Error::InvalidName`] saying which rule the name breaks.
///
/// # Examples
///
/// ```
/// use aplay_core::{validate_name, Error};
///
/// assert!(validate_name("worker-1").is_ok());
/// assert!(matches!(validate_name("a/b"), Err(Error::InvalidName { .. })));
/// ```
pub fn validate_name(name: &str) -> Result<(), Error> {
    // The common case first: printable ASCII, which has no whitespace or control character.
    let printable_ascii = name.bytes().all(|b| b.is_ascii_graphic());
    let reason = if name.is_empty() {
        "a name cannot be empty"
    } else if name.len() > 255 {
        "a name is at most 255 bytes long"
    } else if name.contains('/') {
        "a name cannot contain `/`; paths are built from names by the tree"
    } else if name == "." || name == ".." {
        "`.` and `..` are not names"
    } else if !printable_ascii && name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        "a name cannot contain whitespace or control characters"
    } else {
        return Ok(());
    };
    Err(Error::InvalidName {
        name: name.to_owned(),
        reason,
    })
}

impl std::str::FromStr for ActorPath {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        ActorPath::parse(s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ActorPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ActorPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_and_names() {
        let root = ActorPath::root();
        assert_eq!(root.name(), "");
        assert_eq!(root.parent(), None);
        assert_eq!(root.depth(), 0);
        let a = root.child("a").unwrap();
        let b = a.child("b").unwrap();
        assert_eq!(b, "/a/b");
        assert_eq!(b.depth(), 2);
        assert_eq!(b.parent().unwrap(), a);
        assert_eq!(a.parent().unwrap(), root);
    }

    #[test]
    fn long_and_non_ascii_paths_are_joined_too() {
        let long = "x".repeat(200);
        let deep = ActorPath::root()
            .child(&long)
            .unwrap()
            .child("été")
            .unwrap();
        assert_eq!(deep.as_str(), format!("/{long}/été"));
        assert_eq!(deep.name(), "été");
    }

    #[test]
    fn invalid_names_are_refused() {
        for bad in [
            "",
            "a/b",
            ".",
            "..",
            "a b",
            "tab\t",
            "nbsp\u{a0}",
            "bell\u{7}",
            &"x".repeat(256),
        ] {
            assert!(
                ActorPath::root().child(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
