//! Actor addresses: hierarchical paths such as `/test/count`.
//!
//! The value and what it tells lives here; reading a path from text, checking names and the
//! errors they give, in [`name`] (above [`Error`](crate::Error), which names paths).

mod name;

pub use name::validate_name;

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

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

/// `{parent}/{name}`, in one allocation when it is short (every spawn makes a path).
pub(super) fn joined(parent: &str, name: &str) -> Arc<str> {
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

#[cfg(feature = "serde")]
impl serde::Serialize for ActorPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
