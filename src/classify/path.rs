//! What a requested path is: a page, an asset or a download, and a page a front or deep.

use rustc_hash::{FxHashMap, FxHashSet};

use super::tables::{self, TableError, ASSETS, FRONTS};

/// A small set of ASCII words, matched without regard to case and without copying.
/// Asset tests run on every line, so this is a few byte comparisons among the words of
/// the same length, not a hash of a lowercased copy.
#[derive(Default, Clone)]
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

/// What a request for a path fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PathKind {
    /// A page a person reads (when a GET answered 2xx or 304: see [`page_view`]).
    Page,
    /// What a browser fetches to render a page: its style sheets, scripts, images, fonts.
    Asset,
    /// No page, and nothing a page embeds: feeds, files for machines (`robots.txt`, a
    /// sitemap). Scrapers fetch these too, so they are no evidence that a browser
    /// rendered a page.
    Machine,
    /// An archive, executable, package, source file or disk image.
    Download,
}

#[derive(Clone)]
pub struct PathRules {
    asset_ext: WordSet,
    download_ext: WordSet,
    /// The extensions of `asset_ext` and `download_ext` up to seven bytes, as
    /// [`ext_code`]s, with their kind: one hash probe instead of comparing with every
    /// extension of the same length.
    ext_codes: FxHashMap<u64, PathKind>,
    /// Names of assets and of machine files (`machine_name` tells them apart).
    asset_name: WordSet,
    machine_name: WordSet,
    machine_ext: WordSet,
    /// Asset prefixes by their second byte (the first is `/`): a path is compared only
    /// with the prefixes that could match it, for most paths none.
    /// Each with its kind: an asset's or a machine file's.
    asset_prefix_by_second: Vec<Vec<(Box<[u8]>, PathKind)>>,
    /// Prefixes of one byte or none, which every path is compared with.
    asset_prefix_short: Vec<(Box<[u8]>, PathKind)>,
    /// How many bytes at a path's end can hold a last segment that is an asset name,
    /// with its slash, or an asset extension, with its dot: only those are looked at.
    asset_tail: usize,
    index_files: FxHashSet<Vec<u8>>,
    content_keys: FxHashSet<Vec<u8>>,
    /// Extra fronts from `--front`, normalised without a trailing slash.
    extra_fronts: FxHashSet<Vec<u8>>,
}

impl PathRules {
    pub fn builtin() -> Result<PathRules, TableError> {
        let mut p = PathRules {
            asset_ext: WordSet::default(),
            download_ext: WordSet::default(),
            ext_codes: FxHashMap::default(),
            asset_name: WordSet::default(),
            machine_name: WordSet::default(),
            machine_ext: WordSet::default(),
            asset_prefix_by_second: vec![Vec::new(); 256],
            asset_prefix_short: Vec::new(),
            asset_tail: 0,
            index_files: FxHashSet::default(),
            content_keys: FxHashSet::default(),
            extra_fronts: FxHashSet::default(),
        };
        for (src, set_of) in [(ASSETS, 0), (FRONTS, 1)] {
            for row in tables::rows(src, 2) {
                let (line, f) = row?;
                let value = f[1].as_bytes().to_ascii_lowercase();
                let fresh = match (set_of, f[0]) {
                    (0, "ext") => p.insert_extension(value, PathKind::Asset),
                    (0, "download") => p.insert_extension(value, PathKind::Download),
                    (0, "name") => p.insert_asset_name(value),
                    (0, "prefix") => {
                        p.add_prefix(f[1], PathKind::Asset);
                        true
                    }
                    (0, "machine_ext") => p.insert_extension(value, PathKind::Machine),
                    (0, "machine_name") => {
                        p.machine_name.insert(value.clone());
                        p.insert_asset_name(value)
                    }
                    (0, "machine_prefix") => {
                        p.add_prefix(f[1], PathKind::Machine);
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
        self.insert_extension(ext.as_bytes().to_ascii_lowercase(), PathKind::Asset);
    }

    /// `false` when the (lowercase) extension was already there, of either kind.
    fn insert_extension(&mut self, ext: Vec<u8>, kind: PathKind) -> bool {
        if self.asset_ext.contains(&ext)
            || self.download_ext.contains(&ext)
            || self.machine_ext.contains(&ext)
        {
            return false;
        }
        if let Some(code) = ext_code(&ext) {
            self.ext_codes.insert(code, kind);
        }
        self.asset_tail = self.asset_tail.max(ext.len() + 1);
        match kind {
            PathKind::Download => self.download_ext.insert(ext),
            PathKind::Machine => self.machine_ext.insert(ext),
            _ => self.asset_ext.insert(ext),
        }
    }

    /// `false` when the (lowercase) name was already there.
    fn insert_asset_name(&mut self, name: Vec<u8>) -> bool {
        self.asset_tail = self.asset_tail.max(name.len() + 1);
        self.asset_name.insert(name)
    }

    pub fn add_asset_prefix(&mut self, prefix: &str) {
        self.add_prefix(prefix, PathKind::Asset);
    }

    fn add_prefix(&mut self, prefix: &str, kind: PathKind) {
        let prefix: Box<[u8]> = prefix.as_bytes().into();
        match prefix.get(1) {
            Some(&second) => self.asset_prefix_by_second[usize::from(second)].push((prefix, kind)),
            None => self.asset_prefix_short.push((prefix, kind)),
        }
    }

    pub fn add_front(&mut self, path: &str) {
        self.extra_fronts.insert(path.trim_end_matches('/').as_bytes().to_vec());
    }

    /// Static files, feeds and machine files: requested by browsers and tools, never read.
    pub fn is_asset(&self, path: &[u8]) -> bool {
        matches!(self.kind(path), PathKind::Asset | PathKind::Machine)
    }

    /// What a request for `path` fetches: an asset (by prefix, name or extension), a
    /// download (by extension), else a page.
    pub fn kind(&self, path: &[u8]) -> PathKind {
        let by_second = path.get(1).map_or(&[][..], |&b| &self.asset_prefix_by_second[usize::from(b)]);
        if let Some((_, kind)) =
            by_second.iter().chain(&self.asset_prefix_short).find(|(p, _)| path.starts_with(p))
        {
            return *kind;
        }
        // Only the last few bytes can make a name or an extension of the tables: one
        // short walk back finds the last slash and the last dot after it, if they are
        // there. A longer last segment has no name of the tables; a longer extension, or
        // none, no extension of them.
        let tail = &path[path.len() - path.len().min(self.asset_tail)..];
        let (mut slash, mut dot) = (None, None);
        for (i, &b) in tail.iter().enumerate().rev() {
            if b == b'/' {
                slash = Some(i);
                break;
            }
            if b == b'.' && dot.is_none() {
                dot = Some(i);
            }
        }
        let name = match slash {
            Some(slash) => Some(&tail[slash + 1..]),
            None => (tail.len() == path.len()).then_some(path),
        };
        if name.is_some_and(<[u8]>::is_empty) {
            return PathKind::Page;
        }
        if let Some(name) = name.filter(|name| self.asset_name.contains(name)) {
            return if self.machine_name.contains(name) { PathKind::Machine } else { PathKind::Asset };
        }
        let Some(ext) = dot.map(|dot| &tail[dot + 1..]) else { return PathKind::Page };
        match ext_code(ext) {
            Some(code) => self.ext_codes.get(&code).copied().unwrap_or(PathKind::Page),
            None if self.asset_ext.contains(ext) => PathKind::Asset,
            None if self.machine_ext.contains(ext) => PathKind::Machine,
            None if self.download_ext.contains(ext) => PathKind::Download,
            None => PathKind::Page,
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

/// A GET answered 2xx or 304: what a browser got, a page or what the page embeds (an
/// asset that failed, a 404 for a script that is not there, is no sign of a browser).
#[inline]
pub fn fetched(method: &[u8], status: u16) -> bool {
    method == b"GET" && ((200..300).contains(&status) || status == 304)
}

/// Whether a hit is a page view: a GET of a path (absolute-form targets, `GET http://…`,
/// are proxy probes), answered 2xx or 304, that is not an asset. `Err` says why not.
/// The caller passes `kind` ([`PathRules::kind`]) because it needs it anyway.
pub fn page_view(method: &[u8], status: u16, path: &[u8], kind: PathKind) -> Result<(), &'static str> {
    if kind == PathKind::Asset {
        Err("an asset (assets.tsv)")
    } else if kind == PathKind::Machine {
        Err("a feed or a file for machines (assets.tsv)")
    } else if kind == PathKind::Download {
        Err("a download (assets.tsv)")
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

/// An extension of up to seven bytes, lowercased, and its length, in one number.
fn ext_code(ext: &[u8]) -> Option<u64> {
    (ext.len() <= 7)
        .then(|| ext.iter().fold(ext.len() as u64, |code, b| code << 8 | u64::from(b.to_ascii_lowercase())))
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
    fn machine_files_are_no_assets_a_page_embeds() {
        let p = PathRules::builtin().unwrap();
        for machine in [&b"/robots.txt"[..], b"/feed", b"/blog/rss", b"/sitemap.xml", b"/.well-known/x"] {
            assert_eq!(p.kind(machine), PathKind::Machine, "{}", String::from_utf8_lossy(machine));
        }
        // The icon browsers ask for by themselves is one (see assets.tsv).
        for asset in [&b"/favicon.ico"[..], b"/css/site.css", b"/static/app", b"/wp-json/v2/posts"] {
            assert_eq!(p.kind(asset), PathKind::Asset, "{}", String::from_utf8_lossy(asset));
        }
        assert!(fetched(b"GET", 304) && !fetched(b"GET", 404) && !fetched(b"HEAD", 200));
    }

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

    /// The path test read plainly, rule by rule, as the table says it.
    fn plainly(path: &[u8]) -> PathKind {
        plainly_with(path, &[])
    }

    /// [`plainly`], with rows a rules file added: a prefix row first, a name row, an
    /// extension row (an asset's, or a machine file's), else a download row, else a page.
    fn plainly_with(path: &[u8], extra: &[[&str; 2]]) -> PathKind {
        let rows: Vec<Vec<&str>> = super::tables::rows(ASSETS, 2)
            .map(|r| r.unwrap().1)
            .chain(extra.iter().map(|r| r.to_vec()))
            .collect();
        let name = last_segment(path);
        let ext = name.iter().rposition(|&b| b == b'.').map(|dot| &name[dot + 1..]);
        let has_ext = |e: &str| !name.is_empty() && ext.is_some_and(|x| x.eq_ignore_ascii_case(e.as_bytes()));
        let found = |kind: &str, test: &dyn Fn(&str) -> bool| {
            rows.iter().find(|f| f[0].trim_start_matches("machine_") == kind && test(f[1]))
        };
        let row = found("prefix", &|v| path.starts_with(v.as_bytes()))
            .or_else(|| found("name", &|v| !name.is_empty() && name.eq_ignore_ascii_case(v.as_bytes())))
            .or_else(|| found("ext", &has_ext));
        for f in &rows {
            assert!(
                ["prefix", "name", "ext", "download"].contains(&f[0].trim_start_matches("machine_")),
                "unknown kind {}",
                f[0]
            );
        }
        if let Some(f) = row {
            if f[0].starts_with("machine_") {
                PathKind::Machine
            } else {
                PathKind::Asset
            }
        } else if rows.iter().any(|f| f[0] == "download" && has_ext(f[1])) {
            PathKind::Download
        } else {
            PathKind::Page
        }
    }

    #[test]
    fn the_fast_asset_test_reads_the_table_as_written() {
        let p = PathRules::builtin().unwrap();
        let mut paths: Vec<Vec<u8>> = [
            "/",
            "",
            "x",
            "/.",
            "/a.",
            "/a.CSS",
            "/a.b.js",
            "/dir.css/page",
            "/dir.v2/",
            "/robots.txt",
            "/ROBOTS.TXT",
            "/x/feed",
            "/feed/",
            "/static",
            "/static/",
            "/staticx/a",
            "/wp-json/v2/posts",
            "/a.webmanifest",
            "/a.WebManifest",
            "/a.webmanifests",
            "/a.woff2",
            "/.well-known/x",
            "/s/ads.txt",
            // At the edge of the bytes the fast test looks at (the longest name and
            // extension, with their slash or dot).
            "security.txt",
            "/security.txt",
            "xsecurity.txt",
            "/a/xsecurity.txt",
            "/a/.security.txt",
            "webmanifest",
            ".webmanifest",
            "a.webmanifest",
            "/a/bwebmanifest",
            "/a/b.c.webmanifest",
            "/a.b/cwebmanifest",
            "/a/feed.x/rss",
            // Downloads, short and long extensions, any case.
            "/files/x.tar.gz",
            "/src/setup.PY",
            "/b.exe",
            "/dist/tool-1.0.AppImage",
            "/vm/disk.qcow2",
            "/py",
            "/x.py/",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let mut generator = darklog_gen::Generator::new(&darklog_gen::GenConfig {
            seed: 9,
            lines: 5000,
            ..Default::default()
        });
        let mut cx = crate::parse::LineCx::default();
        while let Some(line) = generator.next_line() {
            if let Some(hit) = crate::parse::Format::COMBINED.parse(line, &mut cx).hit() {
                paths.push(hit.path().to_vec());
            }
        }
        let assets = paths.iter().filter(|path| p.is_asset(path)).count();
        assert!(assets > 1000 && assets < paths.len() - 1000, "{assets} of {}", paths.len());
        for path in &paths {
            assert_eq!(p.kind(path), plainly(path), "{}", String::from_utf8_lossy(path));
        }
    }

    #[test]
    fn the_fast_asset_test_reads_added_rows_as_written() {
        let paths = [
            "",
            "/",
            "x",
            "/a",
            "/b.pdf",
            "/b.PDF",
            "/c.geojsonlines",
            "/d/e.x.geojsonlines",
            "/geojsonlines",
            "/f.eojsonlines",
            "/downloads/x",
            "/downloadsx",
            "/d",
            "/page",
            "/a/b/c-long-title-of-a-page",
        ];
        let rows: &[&[[&str; 2]]] = &[
            &[["ext", "pdf"], ["ext", "geojsonlines"], ["prefix", "/downloads/"]],
            &[["prefix", "/"]],
            &[["prefix", ""]],
            &[["prefix", "/d"]],
        ];
        for extra in rows {
            let mut p = PathRules::builtin().unwrap();
            for [kind, value] in *extra {
                match *kind {
                    "ext" => p.add_asset_extension(value),
                    _ => p.add_asset_prefix(value),
                }
            }
            for path in paths {
                assert_eq!(
                    p.kind(path.as_bytes()),
                    plainly_with(path.as_bytes(), extra),
                    "{path} with {extra:?}"
                );
            }
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
