//! What a requested path is: an asset or a page, and a page a front or deep.

use rustc_hash::FxHashSet;

use super::tables::{self, TableError, ASSETS, FRONTS};

/// A small set of ASCII words, matched without regard to case and without copying.
/// Asset tests run on every line, so this is a few byte comparisons among the words of
/// the same length, not a hash of a lowercased copy.
#[derive(Default)]
struct WordSet {
    by_len: Vec<Vec<Vec<u8>>>,
}

impl WordSet {
    /// `false` when the word was already there.
    fn insert(&mut self, word: Vec<u8>) -> bool {
        if self.by_len.len() <= word.len() {
            self.by_len.resize(word.len() + 1, Vec::new());
        }
        let bucket = &mut self.by_len[word.len()];
        if bucket.contains(&word) {
            return false;
        }
        bucket.push(word);
        true
    }

    fn contains(&self, candidate: &[u8]) -> bool {
        self.by_len.get(candidate.len()).is_some_and(|b| b.iter().any(|w| w.eq_ignore_ascii_case(candidate)))
    }
}

pub struct PathRules {
    asset_ext: WordSet,
    asset_name: WordSet,
    asset_prefix: Vec<&'static [u8]>,
    index_files: FxHashSet<Vec<u8>>,
    content_keys: FxHashSet<Vec<u8>>,
    /// Extra fronts from `--front`, normalised without a trailing slash.
    extra_fronts: FxHashSet<Vec<u8>>,
}

impl PathRules {
    pub fn builtin() -> Result<PathRules, TableError> {
        let mut p = PathRules {
            asset_ext: WordSet::default(),
            asset_name: WordSet::default(),
            asset_prefix: Vec::new(),
            index_files: FxHashSet::default(),
            content_keys: FxHashSet::default(),
            extra_fronts: FxHashSet::default(),
        };
        for (src, set_of) in [(ASSETS, 0), (FRONTS, 1)] {
            for row in tables::rows(src, 2) {
                let (line, f) = row?;
                let value = f[1].as_bytes().to_ascii_lowercase();
                let fresh = match (set_of, f[0]) {
                    (0, "ext") => p.asset_ext.insert(value),
                    (0, "name") => p.asset_name.insert(value),
                    (0, "prefix") => {
                        p.asset_prefix.push(f[1].as_bytes());
                        true
                    }
                    (1, "index") => p.index_files.insert(value),
                    (1, "content_key") => p.content_keys.insert(value),
                    (_, other) => {
                        return Err(TableError {
                            table: src.name,
                            line,
                            message: format!("unknown kind '{other}'"),
                        })
                    }
                };
                if !fresh {
                    return Err(TableError {
                        table: src.name,
                        line,
                        message: format!("duplicate '{}'", f[1]),
                    });
                }
            }
        }
        Ok(p)
    }

    pub fn add_asset_extension(&mut self, ext: &str) {
        self.asset_ext.insert(ext.as_bytes().to_ascii_lowercase());
    }

    pub fn add_asset_prefix(&mut self, prefix: &'static str) {
        self.asset_prefix.push(prefix.as_bytes());
    }

    pub fn add_front(&mut self, path: &str) {
        self.extra_fronts.insert(path.trim_end_matches('/').as_bytes().to_vec());
    }

    /// Static files, feeds and machine files: requested by browsers and tools, never read.
    pub fn is_asset(&self, path: &[u8]) -> bool {
        // Every prefix starts with `/`: look at the next byte before comparing the rest.
        let second = path.get(1);
        if self.asset_prefix.iter().any(|p| p.get(1) == second && path.starts_with(p)) {
            return true;
        }
        let name = last_segment(path);
        if name.is_empty() {
            return false;
        }
        if self.asset_name.contains(name) {
            return true;
        }
        match memchr::memrchr(b'.', name) {
            Some(dot) => self.asset_ext.contains(&name[dot + 1..]),
            None => false,
        }
    }

    /// A homepage or section front: `/`, an index file, a short word-like single segment
    /// (`/news`, `/sport/`), or a `--front`. Content-looking single segments
    /// (`/my-long-article-title`, `/2026`, percent-encoded titles) are deep, and so is any
    /// front whose query names content (`/?p=123`).
    pub fn is_front(&self, path: &[u8], query: Option<&[u8]>) -> bool {
        if let Some(q) = query {
            let names_content = crate::parse::query_pairs(q)
                .any(|(key, _)| self.content_keys.contains(&key.to_ascii_lowercase()));
            if names_content {
                return false;
            }
        }
        let trimmed = {
            let mut p = path;
            let name = last_segment(p);
            if self.index_files.contains(&name.to_ascii_lowercase()) {
                p = &p[..p.len() - name.len()];
            }
            let mut end = p.len();
            while end > 0 && p[end - 1] == b'/' {
                end -= 1;
            }
            &p[..end]
        };
        if trimmed.is_empty() || self.extra_fronts.contains(trimmed) {
            return true;
        }
        let Some(segment) = trimmed.strip_prefix(b"/") else { return false };
        !segment.contains(&b'/') && is_section_name(segment)
    }
}

/// Whether a hit is a page view: a GET of a path (absolute-form targets, `GET http://…`,
/// are proxy probes), answered 2xx or 304, that is not an asset. `Err` says why not.
/// The caller passes `asset` ([`PathRules::is_asset`]) because it needs it anyway.
pub fn page_view(method: &[u8], status: u16, path: &[u8], asset: bool) -> Result<(), &'static str> {
    if asset {
        Err("an asset (assets.tsv)")
    } else if !matches!(method, b"GET") {
        Err("not a GET")
    } else if !((200..300).contains(&status) || status == 304) {
        Err("status not 2xx or 304")
    } else if path.first() != Some(&b'/') {
        Err("not a path")
    } else {
        Ok(())
    }
}

fn last_segment(path: &[u8]) -> &[u8] {
    match memchr::memrchr(b'/', path) {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Section names are short words: letters, at most two of them joined by `-` or `_`.
fn is_section_name(s: &[u8]) -> bool {
    if s.is_empty() || s.len() > 24 {
        return false;
    }
    let words = s.split(|&b| b == b'-' || b == b'_');
    let mut n = 0;
    for w in words {
        n += 1;
        if w.is_empty() || !w.iter().all(u8::is_ascii_alphabetic) {
            return false;
        }
    }
    n <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_and_pages() {
        let p = PathRules::builtin().unwrap();
        for asset in [
            &b"/css/site.css"[..],
            b"/app.JS",
            b"/favicon.ico",
            b"/robots.txt",
            b"/feed",
            b"/blog/feed",
            b"/sitemap.xml",
            b"/.well-known/acme-challenge/x",
            b"/fonts/a.woff2",
        ] {
            assert!(p.is_asset(asset), "{}", String::from_utf8_lossy(asset));
        }
        for page in [
            &b"/"[..],
            b"/news/2026/11/03/story-4821",
            b"/about.html",
            b"/shuttle/missions/sts-68/news/sts-68-mcc-05.txt",
            b"/index.php",
            b"/v1.2/",
        ] {
            assert!(!p.is_asset(page), "{}", String::from_utf8_lossy(page));
        }
    }

    #[test]
    fn fronts_and_deep_pages() {
        let mut p = PathRules::builtin().unwrap();
        let fronts: &[(&[u8], Option<&[u8]>)] = &[
            (b"/", None),
            (b"/index.html", None),
            (b"/news", None),
            (b"/news/", None),
            (b"/sport/index.php", None),
            (b"/real-estate", None),
            (b"/", Some(b"utm_source=x")),
        ];
        let deep: &[(&[u8], Option<&[u8]>)] = &[
            (b"/news/2026/11/03/story", None),
            (b"/my-long-article-title", None),
            (b"/p/12345", None),
            (b"/2026", None),
            (b"/%D8%B3%D8%B4", None),
            (b"/", Some(b"p=123")),
            (b"/", Some(b"x=1;p=5")),
            (b"/special/offers", None),
        ];
        for (path, q) in fronts {
            assert!(p.is_front(path, *q), "{}", String::from_utf8_lossy(path));
        }
        for (path, q) in deep {
            assert!(!p.is_front(path, *q), "{}", String::from_utf8_lossy(path));
        }
        p.add_front("/special/offers/");
        assert!(p.is_front(b"/special/offers", None));
    }
}
