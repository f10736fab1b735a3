//! The generated site: its fronts and a catalogue of articles with realistic URL shapes.
//!
//! Pages are numbered; events carry the number and the path is written only when a line
//! is rendered, so a scheduled request costs a few bytes however long its URL.

use super::pools::{FRONTS, ODD_ARTICLES, SECTIONS, WORDS};
use super::rng::Rng;
use darklog::time::civil_from_days;

/// Articles in the catalogue. Popularity is skewed, so most traffic goes to a few dozen.
const ARTICLES: usize = 2400;

pub struct Site {
    /// Fronts first (`FRONTS` order), then articles.
    pages: Vec<Box<[u8]>>,
    /// `https://` + host: the prefix of internal referrers.
    pub origin: Vec<u8>,
}

impl Site {
    pub fn new(host: &str, start: i64, rng: &mut Rng) -> Site {
        let mut pages: Vec<Box<[u8]>> = FRONTS.iter().map(|(_, p)| p.as_bytes().into()).collect();
        let first_day = start.div_euclid(86_400);
        for i in 0..ARTICLES {
            // The odd paths sit among the popular articles, where visits will find them.
            if let Some(odd) = [9usize, 27, 45, 71].iter().position(|&at| at == i) {
                pages.push(ODD_ARTICLES[odd].into());
                continue;
            }
            let id = 1000 + rng.below(9000);
            // Published in the four weeks before the log starts: never dated after a visit.
            let day = first_day - 28 + rng.below(28) as i64;
            let (y, m, d) = civil_from_days(day);
            let words = rng.range(4, 9);
            let mut slug = String::new();
            for w in 0..words {
                if w > 0 {
                    slug.push('-');
                }
                slug.push_str(rng.pick_copy(WORDS));
            }
            let shape = rng.below(100);
            let path = match shape {
                0..=54 => format!("/{}/{y:04}/{m:02}/{d:02}/{slug}-{id}", rng.pick_copy(SECTIONS)),
                55..=64 => format!("/p/{}", 10_000 + i),
                65..=89 => format!("/{y:04}/{m:02}/{slug}"),
                _ => format!("/{slug}"),
            };
            pages.push(path.as_bytes().into());
        }
        Site { pages, origin: format!("https://{host}").into_bytes() }
    }

    pub fn path(&self, page: u32) -> &[u8] {
        &self.pages[page as usize]
    }

    pub fn is_front(page: u32) -> bool {
        (page as usize) < FRONTS.len()
    }

    /// A front, as often as people type it.
    pub fn front(rng: &mut Rng) -> u32 {
        rng.weighted_pair(FRONTS).0 as u32
    }

    /// An article, the popular ones far more often (a cube puts about half the traffic
    /// on the first tenth).
    pub fn article(rng: &mut Rng) -> u32 {
        let u = rng.unit();
        (FRONTS.len() + (u * u * u * ARTICLES as f64) as usize) as u32
    }

    /// A page someone clicks to next: often a front, mostly articles.
    pub fn next_page(rng: &mut Rng) -> u32 {
        if rng.percent(30) {
            Site::front(rng)
        } else {
            Site::article(rng)
        }
    }
}
