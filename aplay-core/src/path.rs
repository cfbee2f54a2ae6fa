//! Actor addresses: hierarchical paths such as `/test/count`.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use crate::error::Error;

/// The address of an actor in the tree: `/` for the kernel, `/test` for its child `test`,
/// `/test/count` for that child's child `count`.
///
/// Cheap to clone (a reference-counted string).
///
/// # Examples
///
/// ```
/// use aplay_core::ActorPath;
///
/// let test = ActorPath::root().child("test").unwrap();
/// let count = test.child("count").unwrap();
/// assert_eq!(count.as_str(), "/test/count");
/// assert_eq!(count.name(), "count");
/// assert_eq!(count.parent(), Some(test));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorPath(Arc<str>);

impl ActorPath {
    /// The kernel's address, `/`.
    ///
    /// See the example on [`ActorPath`].
    pub fn root() -> Self {
        ActorPath(Arc::from("/"))
    }

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

    /// Whether this is the kernel's address, `/`.
    ///
    /// See the example on [`ActorPath`].
    pub fn is_root(&self) -> bool {
        &*self.0 == "/"
    }

    /// The last segment: the name the actor was spawned with (`""` for the root).
    ///
    /// See the example on [`ActorPath`].
    pub fn name(&self) -> &str {
        match self.0.rfind('/') {
            Some(i) => &self.0[i + 1..],
            None => &self.0,
        }
    }

    /// The parent's address, `None` for the root.
    ///
    /// See the example on [`ActorPath`].
    pub fn parent(&self) -> Option<ActorPath> {
        if self.is_root() {
            return None;
        }
        match self.0.rfind('/') {
            Some(0) => Some(ActorPath::root()),
            Some(i) => Some(ActorPath(Arc::from(&self.0[..i]))),
            None => None,
        }
    }

    /// How many segments deep the address is: 0 for `/`, 1 for `/test`.
    ///
    /// See the example on [`ActorPath`].
    pub fn depth(&self) -> usize {
        if self.is_root() {
            0
        } else {
            self.0.matches('/').count()
        }
    }

    /// Whether this address is below `ancestor` in the tree (not equal to it).
    ///
    /// ```
    /// use aplay_core::ActorPath;
    ///
    /// let a = ActorPath::parse("/a").unwrap();
    /// assert!(ActorPath::parse("/a/b").unwrap().is_descendant_of(&a));
    /// assert!(a.is_descendant_of(&ActorPath::root()));
    /// assert!(!ActorPath::parse("/ab").unwrap().is_descendant_of(&a));
    /// assert!(!a.is_descendant_of(&a));
    /// ```
    pub fn is_descendant_of(&self, ancestor: &ActorPath) -> bool {
        if ancestor.is_root() {
            return !self.is_root();
        }
        self.0
            .strip_prefix(&*ancestor.0)
            .is_some_and(|rest| rest.starts_with('/'))
    }

    /// The address as a string.
    ///
    /// See the example on [`ActorPath`].
    pub fn as_str(&self) -> &str {
        &self.0
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

/// `{parent}/{name}`, in one allocation when it is short (every spawn makes a path).
fn joined(parent: &str, name: &str) -> Arc<str> {
    const SHORT: usize = 128;
    let len = parent.len() + 1 + name.len();
    if len <= SHORT {
        let mut buf = [0u8; SHORT];
        buf[..parent.len()].copy_from_slice(parent.as_bytes());
        buf[parent.len()] = b'/';
        buf[parent.len() + 1..len].copy_from_slice(name.as_bytes());
        // Two strings joined by `/` are valid UTF-8: the check always passes.
        if let Ok(path) = std::str::from_utf8(&buf[..len]) {
            return Arc::from(path);
        }
    }
    let mut path = String::with_capacity(len);
    path.push_str(parent);
    path.push('/');
    path.push_str(name);
    Arc::from(path)
}

impl fmt::Display for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::str::FromStr for ActorPath {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        ActorPath::parse(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ActorPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ActorPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ActorPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Borrow<str> for ActorPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ActorPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for ActorPath {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for ActorPath {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
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
