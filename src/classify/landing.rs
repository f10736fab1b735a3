//! A visit's landing as the run keeps it: the landing line's text, copied out of the
//! block it was read from, and the signals found about it when the visit closes.

use serde::{Deserialize, Serialize};

use super::Name;
use crate::session::LandingData;

/// The landing page view of a visit, copied out of its line, and the run's signals about
/// it, found when the visit closes (when every line of its landing's time has come).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedLanding {
    /// The target, the referrer and the vhost, one after the other in one allocation: a
    /// visit is read again only when it closes, long after, and one allocation is one
    /// cache miss then (and one malloc now) where three were three.
    text: Box<[u8]>,
    target_len: u32,
    /// `NONE` for a line without one.
    referrer_len: u32,
    vhost_len: u32,
    /// The app whose link preview fetched the page shortly before (see [`ShareLog`](super::ShareLog)).
    pub shared_by: Option<Name>,
    /// The visitor read this page in an earlier visit (see [`ReturnLog`](super::ReturnLog)).
    pub returning: bool,
    /// The landing's (reader, page) key (0 when the landing is no page view), and the
    /// visit's other page views', each once: remembered for returns when the visit closes.
    /// (Apart, so that a visit of one page, most of them, allocates nothing for it.)
    pub page: u64,
    pub more_pages: Vec<u64>,
    /// Page views past [`MAX_VISIT_PAGES`], not remembered.
    pub pages_beyond: u32,
}

/// The length of a field the line does not have.
const NONE: u32 = u32::MAX;

/// Distinct page views a visit remembers for returns: a reader reads a few pages a visit;
/// a crawler with a browser's agent reads thousands, which would grow an open visit
/// without bound.
pub const MAX_VISIT_PAGES: usize = 64;

impl OwnedLanding {
    /// A landing with no signals yet; `page` is its (reader, page) key, 0 for none.
    /// Fields are cut at 4 GiB (a line is far shorter).
    pub fn new(target: &[u8], referrer: Option<&[u8]>, vhost: Option<&[u8]>, page: u64) -> OwnedLanding {
        // `NONE` itself marks an absent field.
        let len = |f: &[u8]| u32::try_from(f.len()).unwrap_or(NONE).min(NONE - 1);
        let (target_len, referrer_len, vhost_len) =
            (len(target), referrer.map_or(NONE, len), vhost.map_or(NONE, len));
        fn cut(f: Option<&[u8]>, n: u32) -> &[u8] {
            f.map_or(&[], |f| &f[..n as usize])
        }
        // `?q` alone (a full URL with no `/` before its query) is the front page's: said so.
        let (slash, target_len) = match target.first() {
            Some(b'?') => (&b"/"[..], (target_len + 1).min(NONE - 1)),
            _ => (&b""[..], target_len),
        };
        let text = [
            slash,
            &target[..target_len as usize - slash.len()],
            cut(referrer, referrer_len),
            cut(vhost, vhost_len),
        ]
        .concat();
        OwnedLanding {
            text: text.into_boxed_slice(),
            target_len,
            referrer_len,
            vhost_len,
            shared_by: None,
            returning: false,
            page,
            more_pages: Vec::new(),
            pages_beyond: 0,
        }
    }

    pub fn target(&self) -> &[u8] {
        &self.text[..self.target_len as usize]
    }

    pub fn referrer(&self) -> Option<&[u8]> {
        let start = self.target_len as usize;
        (self.referrer_len != NONE).then(|| &self.text[start..start + self.referrer_len as usize])
    }

    pub fn vhost(&self) -> Option<&[u8]> {
        let start = self.target_len as usize + self.referrer().map_or(0, <[u8]>::len);
        (self.vhost_len != NONE).then(|| &self.text[start..start + self.vhost_len as usize])
    }

    /// Every page view's key, the landing's first (0 when the landing is no page view).
    pub fn pages(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::once(self.page).chain(self.more_pages.iter().copied())
    }
}

/// How a landing is written in a state: its fields by name, as they always were.
#[derive(Serialize)]
struct LandingOut<'a> {
    target: &'a [u8],
    referrer: Option<&'a [u8]>,
    vhost: Option<&'a [u8]>,
    shared_by: Option<Name>,
    returning: bool,
    page: u64,
    more_pages: &'a [u64],
    pages_beyond: u32,
}

#[derive(Deserialize)]
struct LandingIn {
    target: Vec<u8>,
    referrer: Option<Vec<u8>>,
    vhost: Option<Vec<u8>>,
    shared_by: Option<Name>,
    returning: bool,
    page: u64,
    more_pages: Vec<u64>,
    pages_beyond: u32,
}

impl Serialize for OwnedLanding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LandingOut {
            target: self.target(),
            referrer: self.referrer(),
            vhost: self.vhost(),
            shared_by: self.shared_by,
            returning: self.returning,
            page: self.page,
            more_pages: &self.more_pages,
            pages_beyond: self.pages_beyond,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OwnedLanding {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<OwnedLanding, D::Error> {
        let l = LandingIn::deserialize(deserializer)?;
        Ok(OwnedLanding {
            shared_by: l.shared_by,
            returning: l.returning,
            more_pages: l.more_pages,
            pages_beyond: l.pages_beyond,
            ..OwnedLanding::new(&l.target, l.referrer.as_deref(), l.vhost.as_deref(), l.page)
        })
    }
}

impl LandingData for OwnedLanding {
    fn viewed(&mut self, page: u64) {
        if page == 0 || page == self.page || self.more_pages.contains(&page) {
            return;
        }
        if self.more_pages.len() + 1 < MAX_VISIT_PAGES {
            self.more_pages.push(page);
        } else {
            self.pages_beyond += 1;
        }
    }

    fn take_over(&mut self, replaced: OwnedLanding) {
        self.pages_beyond += replaced.pages_beyond;
        for page in replaced.pages() {
            self.viewed(page);
        }
    }
}
