//! The generator's data: user agents, address ranges, referrers, paths and scenario mixes.
//!
//! Everything that makes the log look like a real site lives here as plain tables, so
//! realism is tuned by editing rows, not code. Strings are stored exactly as they appear
//! in a log line (an Apache-escaped quote is `\"` here too).

/// A row of a weighted table.
pub trait Weighted {
    fn weight(&self) -> u32;
}

// ---------------------------------------------------------------------------------------
// People

/// Desktop and mobile browsers as of late 2026, weighted roughly by share. Indices into
/// [`HUMAN_UAS`] are also bits of a NAT address's "agents already here" mask, so the
/// browser and in-app tables together must stay under 64 rows.
pub static BROWSERS: &[(u32, &str)] = &[
    (9, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
    (2, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"),
    (4, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
    (1, "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    (2, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"),
    (1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),
    (3, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (1, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"),
    (1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0"),
    (4, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),
    (1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"),
    (10, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
    (5, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0.1 Mobile/15E148 Safari/604.1"),
    (3, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),
    (2, "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1"),
    (2, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"),
    (1, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15"),
    (10, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),
    (4, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"),
    (2, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36"),
    (1, "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    (3, "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"),
    (1, "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"),
    (1, "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"),
    (1, "Mozilla/5.0 (Linux; U; Android 13; en-gb; 2201117TG Build/TKQ1.221114.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.8.0-gn"),
    // A corporate proxy that appends a quoted tag: Apache escapes the quotes.
    (1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 \\\"CorpProxy/2.1\\\""),
];

/// Browsers built into apps, named by app (messengers, then social networks).
pub struct InApp {
    pub app: &'static str,
    pub ua: &'static str,
}

#[rustfmt::skip]
pub static IN_APP: &[InApp] = &[
    InApp { app: "telegram", ua: "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile Safari/537.36 Telegram-Android/10.2.5 (Samsung SM-G991B; Android 13; SDK 33; AVERAGE)" },
    InApp { app: "messenger", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerForiOS;FBAV/482.0.0.41.108;FBBV/652186218;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.6.1;FBSS/3;FBCR/;FBID/phone;FBLC/en_GB;FBOP/5]" },
    InApp { app: "messenger", ua: "Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.102 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/480.0.0.42.109;]" },
    InApp { app: "wechat", ua: "Mozilla/5.0 (Linux; Android 13; V2238A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.40.2420(0x28002837) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64" },
    InApp { app: "line", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.1.0" },
    InApp { app: "facebook", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/490.0.0.37.107;FBBV/669148216;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]" },
    InApp { app: "instagram", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 354.0.0.29.90 (iPhone14,2; iOS 17_6_1; en_US; en; scale=3.00; 1170x2532; 655063396)" },
];

/// First octets of residential IPv4 space. Disjoint from every [`DcRange`]'s first
/// octet, so a person never shares an address with a crawler. 32 rows: the generator
/// spreads visitors over them with five bits of a permuted counter.
pub static HOME_V4_OCTETS: [u8; 32] = [
    2, 24, 71, 73, 76, 79, 81, 82, 83, 84, 86, 88, 89, 90, 91, 92, 93, 94, 98, 99, 108, 109, 151, 176, 177,
    186, 187, 189, 190, 201, 212, 217,
];

// ---------------------------------------------------------------------------------------
// Data centres

/// A /16 that automated clients come from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DcRange(pub u8, pub u8);

pub const GOOGLE: DcRange = DcRange(66, 249);
pub const MICROSOFT: DcRange = DcRange(40, 77);
pub const OVH: DcRange = DcRange(54, 36);
pub const SEMRUSH: DcRange = DcRange(185, 191);
pub const AZURE: DcRange = DcRange(20, 171);
pub const AWS_EAST: DcRange = DcRange(3, 84);
pub const AWS_EU: DcRange = DcRange(52, 14);
pub const YANDEX: DcRange = DcRange(5, 255);
pub const APPLE: DcRange = DcRange(17, 241);
pub const APPLE_PREVIEW: DcRange = DcRange(17, 58);
pub const LINODE: DcRange = DcRange(45, 33);
pub const DIGITALOCEAN_A: DcRange = DcRange(104, 248);
pub const DIGITALOCEAN_B: DcRange = DcRange(167, 99);
pub const DIGITALOCEAN_C: DcRange = DcRange(138, 68);
pub const DIGITALOCEAN_D: DcRange = DcRange(159, 89);
pub const DIGITALOCEAN_E: DcRange = DcRange(188, 166);
pub const UPTIMEROBOT: DcRange = DcRange(69, 162);
pub const GCP: DcRange = DcRange(34, 120);
pub const GCP_DISCORD: DcRange = DcRange(35, 227);
pub const META: DcRange = DcRange(31, 13);
pub const META_B: DcRange = DcRange(173, 252);
pub const TELEGRAM: DcRange = DcRange(149, 154);
pub const SLACK: DcRange = DcRange(54, 209);
pub const SIGNAL: DcRange = DcRange(13, 248);
pub const SCANNERS: DcRange = DcRange(45, 148);
pub const SCANNERS_B: DcRange = DcRange(157, 245);

/// Every range, in a fixed order: its position is the index of its address counter.
pub static DC_RANGES: &[DcRange] = &[
    GOOGLE,
    MICROSOFT,
    OVH,
    SEMRUSH,
    AZURE,
    AWS_EAST,
    AWS_EU,
    YANDEX,
    APPLE,
    APPLE_PREVIEW,
    LINODE,
    DIGITALOCEAN_A,
    DIGITALOCEAN_B,
    DIGITALOCEAN_C,
    DIGITALOCEAN_D,
    DIGITALOCEAN_E,
    UPTIMEROBOT,
    GCP,
    GCP_DISCORD,
    META,
    META_B,
    TELEGRAM,
    SLACK,
    SIGNAL,
    SCANNERS,
    SCANNERS_B,
];

/// Where scrapers with browser agents rent their machines.
pub static SCRAPER_RANGES: &[DcRange] =
    &[AWS_EAST, AWS_EU, DIGITALOCEAN_C, DIGITALOCEAN_D, DIGITALOCEAN_E, GCP];

// ---------------------------------------------------------------------------------------
// Automated clients

/// A declared crawler, tool or monitor.
pub struct Crawler {
    pub weight: u32,
    pub ua: &'static str,
    pub range: DcRange,
    /// Page requests per visit, inclusive.
    pub pages: (u32, u32),
    /// Seconds between requests, inclusive.
    pub gap: (u32, u32),
    /// Chance (percent) of fetching robots.txt first.
    pub robots: u32,
    /// Chance (percent) that a later request is a HEAD.
    pub head: u32,
    /// Monitors only ever ask for the home page.
    pub home_only: bool,
}

impl Weighted for Crawler {
    fn weight(&self) -> u32 {
        self.weight
    }
}

#[rustfmt::skip]
pub static CRAWLERS: &[Crawler] = &[
    Crawler { weight: 14, ua: "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", range: GOOGLE, pages: (2, 25), gap: (3, 90), robots: 20, head: 2, home_only: false },
    Crawler { weight: 6, ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", range: GOOGLE, pages: (2, 20), gap: (3, 90), robots: 30, head: 2, home_only: false },
    Crawler { weight: 8, ua: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", range: MICROSOFT, pages: (2, 15), gap: (5, 120), robots: 30, head: 5, home_only: false },
    Crawler { weight: 6, ua: "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", range: OVH, pages: (3, 30), gap: (2, 30), robots: 40, head: 0, home_only: false },
    Crawler { weight: 5, ua: "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", range: SEMRUSH, pages: (3, 30), gap: (2, 40), robots: 40, head: 0, home_only: false },
    Crawler { weight: 6, ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", range: AZURE, pages: (3, 40), gap: (1, 20), robots: 50, head: 0, home_only: false },
    Crawler { weight: 5, ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", range: AWS_EAST, pages: (3, 40), gap: (1, 20), robots: 50, head: 0, home_only: false },
    Crawler { weight: 3, ua: "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", range: YANDEX, pages: (2, 15), gap: (5, 90), robots: 30, head: 5, home_only: false },
    Crawler { weight: 3, ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", range: APPLE, pages: (2, 12), gap: (5, 90), robots: 30, head: 0, home_only: false },
    Crawler { weight: 3, ua: "curl/8.4.0", range: LINODE, pages: (1, 4), gap: (1, 30), robots: 0, head: 30, home_only: false },
    Crawler { weight: 3, ua: "python-requests/2.31.0", range: DIGITALOCEAN_A, pages: (1, 20), gap: (1, 10), robots: 5, head: 5, home_only: false },
    Crawler { weight: 2, ua: "Go-http-client/1.1", range: DIGITALOCEAN_B, pages: (1, 10), gap: (1, 10), robots: 0, head: 10, home_only: false },
    Crawler { weight: 4, ua: "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", range: UPTIMEROBOT, pages: (2, 6), gap: (300, 300), robots: 0, head: 50, home_only: true },
    Crawler { weight: 2, ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36", range: GCP, pages: (1, 12), gap: (2, 15), robots: 0, head: 0, home_only: false },
];

/// Probes for known holes: never a page view, so never a visit.
pub static SCANNER_UAS: &[(u32, &str)] = &[
    (4, "-"),
    (3, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36"),
    (2, "Mozilla/5.0 (X11; Linux x86_64; rv:83.0) Gecko/20100101 Firefox/83.0"),
    (1, "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"),
];

/// (method or `""` for a `-` request line, target, status).
pub static SCANNER_REQUESTS: &[(&str, &[u8], u16)] = &[
    ("", b"", 400),
    ("GET", b"/wp-login.php", 404),
    ("GET", b"/.env", 404),
    ("GET", b"/.git/config", 404),
    ("GET", b"/wp-admin/setup-config.php", 404),
    ("POST", b"/xmlrpc.php", 404),
    ("GET", b"/phpmyadmin/index.php", 404),
    ("GET", b"/cgi-bin/%2e%2e/%2e%2e/%2e%2e/bin/sh", 400),
    ("GET", b"/\xff\xfe%00.php", 404),
    ("GET", b"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404),
];

/// Addresses for a link-preview fetcher, by the app that shares.
pub struct ShareApp {
    pub weight: u32,
    /// Truth `source`.
    pub name: &'static str,
    /// (user agent, range, chance in percent that a share is previewed).
    pub preview: Option<(&'static str, DcRange, u32)>,
    /// The app's [`IN_APP`] browser and the chance (percent) a reader opens it there.
    pub in_app: Option<(&'static str, u32)>,
    /// A campaign tag some senders' share buttons add, and its chance (percent).
    pub utm: Option<(&'static str, u32)>,
    /// A referrer the app's web client or Android intent leaves, and its chance (percent).
    pub referrer: Option<(&'static str, u32)>,
    /// Truth kinds: plain, in-app, tagged, referred, preview.
    pub kinds: [&'static str; 5],
}

impl Weighted for ShareApp {
    fn weight(&self) -> u32 {
        self.weight
    }
}

macro_rules! share_kinds {
    ($app:literal) => {
        [
            concat!("share-", $app),
            concat!("share-", $app, "-inapp"),
            concat!("share-", $app, "-utm"),
            concat!("share-", $app, "-referrer"),
            concat!("preview-", $app),
        ]
    };
}

const WHATSAPP_PREVIEW: &str = "WhatsApp/2.23.20.0 A";
const TELEGRAM_PREVIEW: &str = "TelegramBot (like TwitterBot)";
const SLACK_PREVIEW: &str = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";
const DISCORD_PREVIEW: &str = "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)";
const IMESSAGE_PREVIEW: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0";
const SIGNAL_PREVIEW: &str = "WhatsApp";
const FACEBOOK_PREVIEW: &str = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";

/// Private channels. The weights are the share of share events, not of visits: one share
/// can bring several readers.
#[rustfmt::skip]
pub static SHARE_APPS: &[ShareApp] = &[
    ShareApp { weight: 30, name: "whatsapp", preview: Some((WHATSAPP_PREVIEW, META, 65)), in_app: None, utm: Some(("utm_source=whatsapp&utm_medium=social", 6)), referrer: Some(("https://web.whatsapp.com/", 4)), kinds: share_kinds!("whatsapp") },
    ShareApp { weight: 9, name: "telegram", preview: Some((TELEGRAM_PREVIEW, TELEGRAM, 70)), in_app: Some(("telegram", 35)), utm: Some(("utm_source=telegram&utm_medium=messaging", 5)), referrer: Some(("android-app://org.telegram.messenger/", 6)), kinds: share_kinds!("telegram") },
    ShareApp { weight: 4, name: "signal", preview: Some((SIGNAL_PREVIEW, SIGNAL, 50)), in_app: None, utm: None, referrer: Some(("android-app://org.thoughtcrime.securesms/", 5)), kinds: share_kinds!("signal") },
    ShareApp { weight: 6, name: "slack", preview: Some((SLACK_PREVIEW, SLACK, 85)), in_app: None, utm: Some(("utm_source=slack", 5)), referrer: Some(("https://app.slack.com/", 10)), kinds: share_kinds!("slack") },
    ShareApp { weight: 4, name: "discord", preview: Some((DISCORD_PREVIEW, GCP_DISCORD, 80)), in_app: None, utm: None, referrer: Some(("https://discord.com/", 8)), kinds: share_kinds!("discord") },
    ShareApp { weight: 8, name: "messenger", preview: Some((FACEBOOK_PREVIEW, META_B, 60)), in_app: Some(("messenger", 35)), utm: Some(("utm_source=messenger&utm_medium=social", 4)), referrer: Some(("https://l.messenger.com/", 6)), kinds: share_kinds!("messenger") },
    ShareApp { weight: 10, name: "imessage", preview: Some((IMESSAGE_PREVIEW, APPLE_PREVIEW, 55)), in_app: None, utm: None, referrer: None, kinds: share_kinds!("imessage") },
    ShareApp { weight: 6, name: "sms", preview: None, in_app: None, utm: Some(("utm_source=sms", 4)), referrer: None, kinds: share_kinds!("sms") },
    ShareApp { weight: 7, name: "email-client", preview: None, in_app: None, utm: None, referrer: None, kinds: share_kinds!("email-client") },
    ShareApp { weight: 2, name: "wechat", preview: None, in_app: Some(("wechat", 90)), utm: None, referrer: None, kinds: share_kinds!("wechat") },
    ShareApp { weight: 2, name: "line", preview: None, in_app: Some(("line", 80)), utm: None, referrer: None, kinds: share_kinds!("line") },
    ShareApp { weight: 14, name: "unknown", preview: None, in_app: None, utm: None, referrer: None, kinds: share_kinds!("unknown") },
];

// ---------------------------------------------------------------------------------------
// Visits with a visible origin

/// What a landing URL carries after the `?`.
#[derive(Clone, Copy)]
pub enum Query {
    None,
    Fixed(&'static str),
    /// A click id: the prefix, then this many random token characters.
    Token(&'static str, u8),
}

/// Where a visit lands.
#[derive(Clone, Copy)]
pub enum Land {
    Deep,
    Front,
    /// Deep with this chance (percent), else a front.
    Mixed(u32),
}

/// The agent a visit comes in with.
#[derive(Clone, Copy)]
pub enum Agent {
    Browser,
    /// The [`IN_APP`] browser of this app (its first row, if several).
    InApp(&'static str),
}

/// One way people arrive when the log can tell where from.
pub struct Origin {
    pub weight: u32,
    pub kind: &'static str,
    pub channel: &'static str,
    pub source: &'static str,
    pub referrer: Option<&'static str>,
    pub query: Query,
    pub land: Land,
    pub agent: Agent,
}

impl Weighted for Origin {
    fn weight(&self) -> u32 {
        self.weight
    }
}

const fn origin(
    weight: u32,
    kind: &'static str,
    channel: &'static str,
    source: &'static str,
    referrer: Option<&'static str>,
    query: Query,
    land: Land,
) -> Origin {
    Origin { weight, kind, channel, source, referrer, query, land, agent: Agent::Browser }
}

/// Weights are per mille of human visits; dark-social shares and returns come from
/// [`SHARE_APPS`] and the return rules instead.
#[rustfmt::skip]
pub static ORIGINS: &[Origin] = &[
    // Direct: typed or autocompleted home and section fronts.
    origin(80, "homepage-typed", "direct", "typed", None, Query::None, Land::Front),
    // Search engines send only the origin nowadays (Bing sometimes the query).
    origin(80, "search-google", "search", "google", Some("https://www.google.com/"), Query::None, Land::Mixed(80)),
    origin(30, "search-google", "search", "google", Some("https://www.google.fr/"), Query::None, Land::Mixed(80)),
    origin(15, "search-google", "search", "google", Some("https://www.google.de/"), Query::None, Land::Mixed(80)),
    origin(10, "search-google", "search", "google", Some("https://www.google.co.uk/"), Query::None, Land::Mixed(80)),
    origin(10, "search-google", "search", "google", Some("android-app://com.google.android.googlequicksearchbox/"), Query::None, Land::Deep),
    origin(15, "search-bing", "search", "bing", Some("https://www.bing.com/"), Query::None, Land::Mixed(75)),
    origin(5, "search-bing", "search", "bing", Some("https://www.bing.com/search?q=dark+social+traffic&form=QBLH"), Query::None, Land::Deep),
    origin(15, "search-duckduckgo", "search", "duckduckgo", Some("https://duckduckgo.com/"), Query::None, Land::Mixed(80)),
    origin(10, "search-yahoo", "search", "yahoo", Some("https://search.yahoo.com/"), Query::None, Land::Mixed(70)),
    origin(10, "search-ecosia", "search", "ecosia", Some("https://www.ecosia.org/"), Query::None, Land::Mixed(80)),
    // Social networks.
    origin(20, "social-facebook", "social", "facebook", Some("https://m.facebook.com/"), Query::None, Land::Deep),
    origin(15, "social-facebook", "social", "facebook", Some("https://l.facebook.com/"), Query::Token("fbclid=IwAR", 40), Land::Deep),
    origin(12, "social-facebook-fbclid", "social", "facebook", None, Query::Token("fbclid=IwZXh0bgNhZW0CMTEAAR", 36), Land::Deep),
    Origin { weight: 8, kind: "social-facebook-inapp", channel: "social", source: "facebook", referrer: Some("https://m.facebook.com/"), query: Query::Token("fbclid=IwAR", 40), land: Land::Deep, agent: Agent::InApp("facebook") },
    origin(12, "social-twitter", "social", "twitter", Some("https://t.co/abc123XyZ9"), Query::None, Land::Deep),
    origin(4, "social-twitter", "social", "twitter", Some("https://t.co/Qm8LpZ2vKd"), Query::None, Land::Deep),
    origin(8, "social-linkedin", "social", "linkedin", Some("https://www.linkedin.com/"), Query::None, Land::Deep),
    origin(8, "social-reddit", "social", "reddit", Some("https://www.reddit.com/r/technology/comments/1gq2x7k/"), Query::None, Land::Deep),
    origin(4, "social-reddit", "social", "reddit", Some("https://www.reddit.com/r/europe/"), Query::None, Land::Deep),
    origin(4, "social-instagram", "social", "instagram", Some("https://www.instagram.com/"), Query::None, Land::Deep),
    Origin { weight: 3, kind: "social-instagram-inapp", channel: "social", source: "instagram", referrer: Some("https://l.instagram.com/"), query: Query::None, land: Land::Deep, agent: Agent::InApp("instagram") },
    origin(5, "social-hacker-news", "social", "hacker-news", Some("https://news.ycombinator.com/"), Query::None, Land::Deep),
    // Email: tagged newsletters, webmail referrers.
    origin(35, "email-newsletter", "email", "newsletter", None, Query::Fixed("utm_source=newsletter&utm_medium=email&utm_campaign=weekly"), Land::Mixed(85)),
    origin(15, "email-gmail", "email", "gmail", Some("https://mail.google.com/"), Query::None, Land::Deep),
    origin(10, "email-outlook", "email", "outlook", Some("https://outlook.live.com/"), Query::None, Land::Deep),
    // Paid: click ids and cpc tags.
    origin(18, "paid-google", "paid", "google", Some("https://www.google.com/"), Query::Token("gclid=Cj0KCQiA", 60), Land::Mixed(70)),
    origin(8, "paid-google", "paid", "google", None, Query::Token("gclid=Cj0KCQjw", 60), Land::Deep),
    origin(8, "paid-google", "paid", "google", None, Query::Fixed("utm_medium=cpc&utm_source=google&utm_campaign=brand"), Land::Mixed(50)),
    origin(6, "paid-bing", "paid", "bing", Some("https://www.bing.com/"), Query::Token("msclkid=", 32), Land::Deep),
    // AI assistants: by referrer, or by the tag ChatGPT adds to the links it cites.
    origin(8, "ai-chatgpt", "ai", "chatgpt", Some("https://chatgpt.com/"), Query::None, Land::Deep),
    origin(6, "ai-chatgpt-tag", "ai", "chatgpt", None, Query::Fixed("utm_source=chatgpt.com"), Land::Deep),
    origin(4, "ai-perplexity", "ai", "perplexity", Some("https://www.perplexity.ai/"), Query::None, Land::Deep),
    // Share buttons that tag the app (WordPress/Jetpack).
    origin(4, "share-button-whatsapp", "dark-social", "whatsapp", None, Query::Fixed("share=jetpack-whatsapp&nb=1"), Land::Deep),
    // Referral: links from other sites.
    origin(35, "referral", "referral", "blog.example.org", Some("https://blog.example.org/post/1"), Query::None, Land::Deep),
    origin(25, "referral", "referral", "news.example.net", Some("https://news.example.net/"), Query::None, Land::Mixed(80)),
    origin(25, "referral", "referral", "en.wikipedia.org", Some("https://en.wikipedia.org/wiki/Dark_social"), Query::None, Land::Deep),
    origin(15, "referral", "referral", "github.com", Some("https://github.com/foo/bar"), Query::None, Land::Deep),
    origin(12, "referral", "referral", "example.net", Some("https://www.example.net/links.html"), Query::None, Land::Mixed(60)),
    origin(8, "referral", "referral", "forum.example.net", Some("https://forum.example.net/search?q=\\\"dark social\\\""), Query::None, Land::Deep),
];

// ---------------------------------------------------------------------------------------
// The site

/// Home and section fronts, with weights for typed visits.
pub static FRONTS: &[(u32, &str)] = &[
    (50, "/"),
    (4, "/index.html"),
    (8, "/news"),
    (4, "/news/"),
    (6, "/sport/"),
    (5, "/tech"),
    (3, "/culture"),
    (3, "/business/"),
    (2, "/opinion"),
    (2, "/science"),
    (2, "/world"),
];

/// Sections that date-stamped articles live under.
pub static SECTIONS: &[&str] =
    &["news", "sport", "tech", "culture", "business", "opinion", "science", "world"];

/// Articles whose paths need escaping, placed among the popular ones.
pub static ODD_ARTICLES: &[&[u8]] = &[
    b"/culture/2026/11/04/caf%C3%A9-society-is-back-5532",
    b"/2026/11/%E6%97%A5%E6%9C%AC-tech-week-recap",
    b"/news/caf\xe9-owners-protest-rent-rise-6120",
    b"/news/\xff-breaking-story-6612",
];

pub static WORDS: &[&str] = &[
    "city",
    "council",
    "approves",
    "new",
    "budget",
    "after",
    "long",
    "debate",
    "storm",
    "hits",
    "coast",
    "power",
    "cuts",
    "expected",
    "local",
    "team",
    "wins",
    "final",
    "minute",
    "goal",
    "market",
    "prices",
    "rise",
    "again",
    "why",
    "the",
    "how",
    "what",
    "you",
    "need",
    "to",
    "know",
    "about",
    "school",
    "reform",
    "plan",
    "mayor",
    "says",
    "housing",
    "crisis",
    "deepens",
    "train",
    "strike",
    "called",
    "off",
    "review",
    "best",
    "phones",
    "of",
    "year",
    "scientists",
    "find",
    "water",
    "on",
    "distant",
    "moon",
    "startup",
    "raises",
    "millions",
    "for",
    "electric",
    "bikes",
    "river",
    "cleanup",
    "volunteers",
    "festival",
    "returns",
    "record",
    "crowds",
    "hospital",
    "waiting",
    "times",
    "fall",
    "election",
    "results",
    "live",
    "analysis",
    "inside",
    "small",
    "town",
    "that",
    "banned",
    "cars",
    "recipe",
    "winter",
    "soup",
    "ten",
    "ways",
    "save",
    "energy",
    "at",
    "home",
];

/// A browser's requests after a page: (path, bytes). The first two are the render-blocking
/// pair every page needs; the rest are fonts and images.
pub static ASSETS: &[(&str, u32)] = &[
    ("/assets/css/main.3f9a2c.css", 48_211),
    ("/assets/js/app.8b1e44.js", 131_904),
    ("/assets/js/vendor.c0ffee.js", 287_530),
    ("/assets/fonts/inter-var.woff2", 96_112),
    ("/assets/fonts/merriweather-700.woff2", 41_880),
    ("/assets/img/logo.svg", 3_412),
    ("/assets/img/sprite.svg", 12_774),
    ("/assets/img/newsletter-banner.webp", 22_310),
    ("/assets/js/analytics.js", 18_090),
    ("/assets/css/print.css", 2_104),
];

pub const FAVICON: &str = "/favicon.ico";
pub const FAVICON_BYTES: u32 = 15_086;

/// Links that lead nowhere any more: what crawlers and people sometimes get a 404 for.
pub static STALE_PATHS: &[&[u8]] = &[
    b"/news/2019/03/14/old-story-that-moved-1021",
    b"/tag/elections-2019",
    b"/amp/news/2026/11/01/live-updates",
    b"/author/jdoe",
    b"/search?q=%22dark+social%22",
];

/// Local-hour weights for people (afternoon peak); averaged to 1 by the generator.
pub static DIURNAL: [f64; 24] = [
    0.30, 0.18, 0.12, 0.09, 0.09, 0.14, 0.30, 0.55, 0.80, 0.95, 1.05, 1.15, 1.25, 1.35, 1.45, 1.55, 1.60,
    1.55, 1.45, 1.35, 1.20, 1.00, 0.75, 0.50,
];
