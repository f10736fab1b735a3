//! The rules on named landings and agents, and the tables checked against themselves.

use super::*;

fn rules() -> Rules {
    Rules::builtin().expect("built-in tables load")
}

fn site() -> SiteFacts {
    let mut facts = SiteFacts::default();
    facts.add_site("www.example.com");
    facts
}

#[test]
fn rule_order_on_named_landings() {
    let (rules, facts) = (rules(), site());
    let r = Classifier::new(&rules, &facts);
    let browser = Agent::Browser;
    let telegram =
        Agent::InApp { app: rules.agents.find_name("telegram").unwrap(), channel: Channel::DarkSocial };
    type Case<'a> = (&'a str, &'a [u8], Option<&'a [u8]>, Agent, Channel, &'a str, &'a str);
    let cases: &[Case] = &[
        (
            "deep_no_referrer",
            b"/news/2026/11/a-story",
            None,
            browser,
            Channel::DarkSocial,
            "unknown",
            "deep-direct",
        ),
        ("home_no_referrer", b"/", None, browser, Channel::Direct, "none", "front-direct"),
        ("section_no_referrer", b"/news/", None, browser, Channel::Direct, "none", "front-direct"),
        (
            "internal",
            b"/a/b",
            Some(b"https://example.com/x"),
            browser,
            Channel::Direct,
            "internal",
            "referrer-internal",
        ),
        (
            "google_fr",
            b"/a/b",
            Some(b"https://www.google.fr/"),
            browser,
            Channel::Search,
            "google",
            "referrer-known",
        ),
        (
            "other_site",
            b"/a/b",
            Some(b"https://www.blog.example.org/p"),
            browser,
            Channel::Referral,
            "blog.example.org",
            "referrer-other",
        ),
        (
            "gclid_beats_referrer",
            b"/a?gclid=1",
            Some(b"https://www.google.com/"),
            browser,
            Channel::Paid,
            "google",
            "click-id",
        ),
        (
            "utm_whatsapp",
            b"/a?utm_source=whatsapp",
            None,
            browser,
            Channel::DarkSocial,
            "whatsapp",
            "utm-source",
        ),
        (
            "newsletter",
            b"/a?utm_medium=email&utm_source=weekly",
            None,
            browser,
            Channel::Email,
            "weekly",
            "utm-medium",
        ),
        // From an audit (a helper who read only the README): tags naming a private channel
        // in the medium, or the short and copy-link forms; link-protection rewriters of mail
        // and the apps' own referrers.
        (
            "medium_whatsapp_whatever_the_source",
            b"/a?utm_source=share&utm_medium=whatsapp",
            None,
            browser,
            Channel::DarkSocial,
            "whatsapp",
            "utm-medium",
        ),
        (
            "medium_messenger_before_source_facebook",
            b"/a?utm_source=Facebook&utm_medium=Messenger",
            None,
            browser,
            Channel::DarkSocial,
            "messenger",
            "utm-medium",
        ),
        ("source_wa", b"/a?utm_source=wa", None, browser, Channel::DarkSocial, "whatsapp", "utm-source"),
        (
            "source_copy_link",
            b"/a?utm_source=copy_link",
            None,
            browser,
            Channel::DarkSocial,
            "copy-link",
            "utm-source",
        ),
        (
            "proofpoint_url_defense",
            b"/a/b",
            Some(b"https://urldefense.com/v3/__https://www.example.com/a/b__;!!x"),
            browser,
            Channel::Email,
            "proofpoint",
            "referrer-known",
        ),
        (
            "twitter_app",
            b"/a/b",
            Some(b"android-app://com.twitter.android"),
            browser,
            Channel::Social,
            "twitter",
            "referrer-known",
        ),
        (
            "newsletter_with_a_fragment_sent",
            b"/a?utm_source=weekly&utm_medium=email#top",
            None,
            browser,
            Channel::Email,
            "weekly",
            "utm-medium",
        ),
        (
            "a_query_of_a_full_url_without_its_path",
            b"?utm_medium=email&utm_source=nl",
            None,
            browser,
            Channel::Email,
            "nl",
            "utm-medium",
        ),
        ("in_app_telegram", b"/a/b", None, telegram, Channel::DarkSocial, "telegram", "in-app"),
        (
            "in_app_with_referrer",
            b"/a/b",
            Some(b"https://t.co/x"),
            telegram,
            Channel::Social,
            "twitter",
            "referrer-known",
        ),
        (
            "messenger_shim",
            b"/a/b",
            Some(b"https://l.messenger.com/"),
            browser,
            Channel::DarkSocial,
            "messenger",
            "referrer-known",
        ),
        (
            "webmail",
            b"/a/b",
            Some(b"https://mail.google.com/"),
            browser,
            Channel::Email,
            "gmail",
            "referrer-known",
        ),
        (
            "chatgpt",
            b"/a/b",
            Some(b"https://chatgpt.com/"),
            browser,
            Channel::Ai,
            "chatgpt",
            "referrer-known",
        ),
        ("chatgpt_tag", b"/a/b?utm_source=chatgpt.com", None, browser, Channel::Ai, "chatgpt", "utm-source"),
    ];
    for (name, target, referrer, agent, channel, source, reason) in cases {
        let v = r.landing(&Landing {
            target,
            referrer: *referrer,
            vhost: None,
            agent: *agent,
            shared_by: None,
            returning: false,
        });
        assert_eq!((v.channel, &*v.source, v.reason.id()), (*channel, *source, *reason), "{name}");
    }
}

#[test]
fn behaviour_rules() {
    let rules = rules();
    let mut facts = SiteFacts::default();
    let b = |pageviews, assets, robots, secs| Behaviour { pageviews, assets, robots, start: 0, end: secs };
    let r = Classifier::new(&rules, &facts);
    assert_eq!(r.behaviour(&b(1, 0, true, 0)), Some(ScraperRule::RobotsTxt));
    assert_eq!(r.behaviour(&b(5, 0, false, 8)), Some(ScraperRule::TooFast));
    assert_eq!(r.behaviour(&b(5, 9, false, 8)), None, "fast, but rendering pages");
    assert_eq!(r.behaviour(&b(3, 0, false, 600)), None, "pages at a reader's pace");
    facts.browsers_load_assets = true;
    let r = Classifier::new(&rules, &facts);
    assert_eq!(r.behaviour(&b(3, 0, false, 600)), None, "no asset is the evidence rule's, not a scraper's");
    assert_eq!(r.behaviour(&b(3, 4, false, 600)), None);
}

/// Where browsers load assets, a visit that loaded none is unconfirmed, whatever its
/// length or channel; where they load none (a CDN serves them), nothing changes; a rules
/// file can count them all.
#[test]
fn the_evidence_rule() {
    let visit = |assets: u32, pageviews: u32, referrer: Option<&str>| Visit {
        agent: Agent::Browser,
        visitor_id: 1,
        start: 0,
        end: 600,
        pageviews,
        hits: pageviews + assets,
        assets,
        downloads: 0,
        robots: false,
        landing: OwnedLanding::new(b"/news/2026/11/a-story", referrer.map(str::as_bytes), None, 0),
    };
    let outcome = |rules: &Rules, facts: &SiteFacts, v: Visit| match Classifier::new(rules, facts)
        .visit(v, &mut HostCache::default())
        .outcome
    {
        Outcome::Counted(v) => format!("counted {}", v.reason),
        Outcome::Unconfirmed(v) => format!("unconfirmed {}", v.reason),
        Outcome::Excluded(e) => format!("excluded {e:?}"),
    };
    let mut rules = rules();
    let mut assets_here = site();
    assets_here.browsers_load_assets = true;
    let cdn = site();
    let google = Some("https://www.google.com/");
    assert_eq!(outcome(&rules, &assets_here, visit(0, 1, None)), "unconfirmed deep-direct");
    assert_eq!(outcome(&rules, &assets_here, visit(0, 4, None)), "unconfirmed deep-direct");
    assert_eq!(outcome(&rules, &assets_here, visit(0, 1, google)), "unconfirmed referrer-known");
    assert_eq!(outcome(&rules, &assets_here, visit(3, 1, None)), "counted deep-direct");
    assert_eq!(outcome(&rules, &cdn, visit(0, 1, None)), "counted deep-direct");
    rules.require_browser_evidence = false;
    assert_eq!(outcome(&rules, &assets_here, visit(0, 1, None)), "counted deep-direct");
}

#[test]
fn vhost_makes_its_own_referrers_internal() {
    let (rules, facts) = (rules(), SiteFacts::default());
    let r = Classifier::new(&rules, &facts);
    let l = Landing {
        target: b"/a/b",
        referrer: Some(b"https://blog.example.net/"),
        vhost: Some(b"blog.example.net"),
        agent: Agent::Browser,
        shared_by: None,
        returning: false,
    };
    assert_eq!(r.landing(&l).reason, Reason::ReferrerInternal);
    // In any case, with or without www., on either side; and only for that line.
    let mut hosts = HostCache::default();
    let on = |referrer: &'static [u8], vhost: Option<&'static [u8]>| Landing {
        referrer: Some(referrer),
        vhost,
        ..l
    };
    for (referrer, vhost, reason) in [
        (&b"https://WWW.Blog.Example.NET/x"[..], Some(&b"blog.example.net"[..]), "referrer-internal"),
        (b"https://blog.example.net/", Some(b"www.BLOG.example.net"), "referrer-internal"),
        (b"https://blog.example.net/", Some(b"example.net"), "referrer-other"),
        (b"https://blog.example.net/", None, "referrer-other"),
        (b"https://www.google.com/", Some(b"www.google.com"), "referrer-internal"),
        (b"https://www.google.com/", Some(b"blog.example.net"), "referrer-known"),
    ] {
        let want = r.landing(&on(referrer, vhost));
        assert_eq!(want.reason.id(), reason, "{}", String::from_utf8_lossy(referrer));
        assert_eq!(r.landing_cached(&on(referrer, vhost), &mut hosts), want);
    }
}

/// The referrer rules read plainly, as they were before verdicts were cached per
/// host: the site or the line's vhost, then the host rows, else a referral.
fn referrer_rule_plainly(
    r: &Classifier<'_>,
    referrer: &[u8],
    vhost: Option<&[u8]>,
) -> (Channel, String, Reason) {
    let host = referrer_host(referrer);
    let site = strip_www(&host);
    let vhost = vhost.map(|v| strip_www(&String::from_utf8_lossy(v).to_ascii_lowercase()).to_string());
    if vhost.as_deref() == Some(site) || r.facts.site_hosts.iter().any(|s| s == site) {
        (Channel::Direct, "internal".into(), Reason::ReferrerInternal)
    } else if let Some(rule) = r.rules.hosts.lookup(&host) {
        (rule.channel, rule.source.to_string(), Reason::ReferrerKnown)
    } else {
        (Channel::Referral, site.into(), Reason::ReferrerOther)
    }
}

#[test]
fn cached_host_verdicts_match_the_rules_read_plainly() {
    let (rules, facts) = (rules(), site());
    let r = Classifier::new(&rules, &facts);
    let mut referrers: Vec<Vec<u8>> = [
        &b"https://www.google.com/search?q=x"[..],
        b"https://WWW.Example.COM:8080/a",
        b"https://example.com./",
        b"http://\xffx.com/",
        b"http://user@lm.facebook.com/l.php?u=x",
        b"android-app://org.telegram.messenger/",
        b"https://www.google.com/",
        b"not a url at all",
        b"http://[2001:db8::1]:8080/x",
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    referrers.push([b"http://".as_slice(), &[b'x'; 300]].concat());
    let mut generator =
        darklog_gen::Generator::new(&darklog_gen::GenConfig { seed: 3, lines: 20_000, ..Default::default() });
    let mut cx = crate::parse::LineCx::default();
    while let Some(line) = generator.next_line() {
        if let Some(referrer) =
            crate::parse::Format::COMBINED.parse(line, &mut cx).hit().and_then(|h| h.referrer)
        {
            referrers.push(referrer.to_vec());
        }
    }
    assert!(referrers.len() > 3000, "{}", referrers.len());
    let vhosts: [Option<&[u8]>; 5] = [
        None,
        Some(b"www.example.com"),
        Some(b"\xffx.com"),
        Some(b"WWW.GOOGLE.COM"),
        Some(b"blog.example.org"),
    ];
    let mut hosts = HostCache::default();
    for referrer in &referrers {
        for vhost in vhosts {
            let landing = Landing {
                target: b"/a/b",
                referrer: Some(referrer),
                vhost,
                agent: Agent::Browser,
                shared_by: None,
                returning: false,
            };
            let v = r.landing_cached(&landing, &mut hosts);
            let got = (v.channel, v.source.into_owned(), v.reason);
            assert_eq!(
                got,
                referrer_rule_plainly(&r, referrer, vhost),
                "{}",
                String::from_utf8_lossy(referrer)
            );
            assert_eq!(r.landing(&landing), r.landing_cached(&landing, &mut hosts));
        }
    }
}

#[test]
fn shipped_user_agent_samples_get_their_class() {
    let rules = AgentRules::builtin().unwrap();
    let cases: &[(&str, &str)] = &[
        ("WhatsApp/2.23.20.0 A", "preview:whatsapp"),
        ("WhatsApp", "preview:signal"),
        ("WhatsApp/2", "preview:signal"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0", "preview:imessage"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview:facebook"),
        ("facebookexternalhit/1.1;line-poker/1.0", "preview:line"),
        ("TelegramBot (like TwitterBot)", "preview:telegram"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot:googlebot"),
        ("curl/8.4.0", "bot:curl"),
        ("Mozilla/5.0 (compatible; SomeNewCrawler/1.0; +https://example.net/bot)", "bot:other"),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0 Safari/537.36 Telegram-Android/12.3.1 (Xiaomi; Android 9; SDK 28; AVERAGE)", "app:telegram"),
        ("Mozilla/5.0 (Linux; Android 7.1.2; Nexus 5X Build/N2G47F; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/57.0 Mobile Safari/537.36 [FB_IAB/MESSENGER;FBAV/114.0.0.21.71;]", "app:messenger"),
        ("Mozilla/5.0 (Linux; Android 9; SM-G950U Build/PPR1.180610.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/263.0.0.46.121;]", "app:facebook"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36", "browser"),
        // Issue #10: link-preview fetchers that were counted as readers…
        ("ViberUrlDownloader", "preview:viber"),
        ("Tumblr/14.0.835.186", "preview:tumblr"),
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", "preview:bluesky"),
        ("Valve/Steam HTTP Client 1.0 (SteamChatURLLookup)", "preview:steam"),
        ("facebookcatalog/1.0", "bot:meta"),
        // …in-app browsers given the wrong app, or none…
        ("Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 [FBAN/Orca-Android;FBAV/440.0.0.31.105;]", "app:messenger"),
        ("Mozilla/5.0 (Linux; Android 9; SM-J530F Build/PPR1.180610.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/96.0 Mobile Safari/537.36 [FBAN/EMA;FBAV/300.0.0.1.100;FBPN/com.facebook.mlite;]", "app:messenger"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MetaIAB", "app:facebook"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)  Mobile/15E148 Weibo (iPhone17,1__weibo__15.4.1__iphone__os18.5)", "app:weibo"),
        ("Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 OKApp/24.10.1", "app:odnoklassniki"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 26_0_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0.1 Mobile/15E148 Safari/604.1 [WAiOS/2.25.31]", "app:whatsapp"),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.7390.124 Mobile Safari/537.36 [WA4A/2.25.32.75;]", "app:whatsapp"),
        // WeCom (ua-samples.tsv) carries WeChat's token too, and is its own app.
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60 wxwork/2.1.5 MicroMessenger/6.3.22", "app:wecom"),
        // Zalo's in-app browser, on iOS and Android (found missing by an audit from the issue).
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Zalo iOS/479 ZaloTheme/light ZaloLanguage/vn", "app:zalo"),
        ("Mozilla/5.0 (Linux; Android 12; SM-A515F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 Zalo android/12100639 ZaloTheme/light ZaloLanguage/vn", "app:zalo"),
        // Tencent QQ's in-app browser (ua-samples.tsv), and its standalone QQ Browser, which is not.
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_4 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Mobile/13G35 QQ/6.5.3.410 V1_IPH_SQ_6.5.3_1_APP_A Pixel/750 Core/UIWebView NetType/2G Mem/117", "app:qq"),
        ("Mozilla/5.0 (Linux; U; Android 10; zh-cn; V2001A Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.126 MQQBrowser/10.5 Mobile Safari/537.36", "browser"),
        // …phones whose model says "bot" or "spider", and DuckDuckGo's browser…
        ("Mozilla/5.0 (Linux; Android 7.0; M bot 51 Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Mobile Safari/537.36", "browser"),
        ("Mozilla/5.0 (Linux; Android 6.0; POWER BOT Build/MRA58K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.85 Mobile Safari/537.36", "browser"),
        ("Mozilla/5.0 (Linux; Android 9; CUBOT_P30 Build/PPR1.180610.011) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "browser"),
        ("Mozilla/5.0 (Linux; Android 10; Spider 8 Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Safari/537.36", "browser"),
        ("ddg_android/5.215.0 (com.duckduckgo.mobile.android; Android API 34)", "browser"),
        // …and the shape of the string: a fetcher naming an app is no app's browser; what
        // is neither a browser nor a known app is no reader.
        ("Mozilla/5.0 (compatible; Instagram-Archiver/1.0; +https://example.net/about)", "bot:other"),
        ("Mozilla/5.0 (compatible; SomeFetcher/2.0)", "bot:unrecognised"),
        ("SomeTool/1.2", "bot:unrecognised"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Playwright/1.48", "bot:Playwright"),
        ("Opera/9.80 (MAUI Runtime; Opera Mini/4.4.39008/37.9178; U; en) Presto/2.12.423 Version/12.16", "browser"),
    ];
    for (ua, want) in cases {
        let got = match rules.classify(Some(ua.as_bytes())) {
            Agent::Browser => "browser".to_string(),
            Agent::InApp { app, .. } => format!("app:{}", rules.name(app)),
            Agent::Preview { app } => format!("preview:{}", rules.name(app)),
            Agent::Bot { name } => format!("bot:{}", rules.name(name)),
        };
        assert_eq!(&got, want, "{ua}");
    }
}

#[test]
fn tables_have_no_duplicates_or_contradictions() {
    let r = rules();
    // Our user-agent rows: no token twice, and none that an earlier row always beats
    // (an earlier `contains` token inside it, unless only an app's row, which a
    // fetcher's agent skips, stands before another class).
    let own: Vec<(usize, &str, Agent)> = r.agents.tokens().collect();
    let mut seen = std::collections::HashMap::new();
    for &(line, token, agent) in &own {
        if let Some((prev, prev_agent)) = seen.insert(token.to_ascii_lowercase(), (line, agent)) {
            panic!(
                "user_agents.tsv:{line}: token '{token}' repeats line {prev} ({prev_agent:?} vs {agent:?})"
            );
        }
    }
    let contains: Vec<(usize, String, Agent)> = tables::rows(tables::USER_AGENTS, 5)
        .map(|row| row.unwrap())
        .filter(|(_, f)| f[1] == "contains")
        .map(|(line, f)| (line, f[0].to_ascii_lowercase(), own.iter().find(|o| o.0 == line).unwrap().2))
        .collect();
    for &(line, token, agent) in &own {
        let lower = token.to_ascii_lowercase();
        let app = |a: Agent| matches!(a, Agent::InApp { .. });
        if let Some((prev, t, _)) = contains
            .iter()
            .find(|(l, t, a)| *l < line && lower.contains(t.as_str()) && (!app(*a) || app(agent)))
        {
            panic!("user_agents.tsv:{line}: '{token}' can never decide: line {prev} ('{t}') always matches first");
        }
    }
    // The crawler list: each token once; none of ours repeats one of its tokens to say
    // the same (a bot).
    r.agents.listed_regexes_compile().unwrap();
    let mut listed = std::collections::HashSet::new();
    for (token, matching) in r.agents.listed_tokens() {
        assert!(listed.insert((token, matching)), "crawlers.tsv: '{token}' ({matching}) twice");
    }
    for &(line, token, agent) in &own {
        if matches!(agent, Agent::Bot { .. }) && listed.contains(&(token, "contains")) {
            panic!("user_agents.tsv:{line}: bot '{token}' is in crawlers.tsv already");
        }
    }
    let mut marks = std::collections::HashSet::new();
    for m in r.agents.marks() {
        assert!(marks.insert(m.token.to_ascii_lowercase()), "marks.tsv:{}: '{}' twice", m.line, m.token);
    }

    let mut params = std::collections::HashMap::new();
    for row in r.params.rows() {
        if let Some(prev) = params.insert((row.param.clone(), row.value.clone()), row.line) {
            panic!("parameters.tsv:{}: repeats line {prev}", row.line);
        }
    }

    // Host rows. Each is reached by its own host; where another row answers instead,
    // that row must be one of ours overriding a list's row with another verdict. A row of
    // ours that says what a list's row for the same host says is a duplicate.
    let ours = |table: &str| table != tables::MATOMO.name;
    for row in &r.hosts.rows {
        let probe = row.host.replace(".*", ".co.uk").replace("*.", "xx.");
        let got = r
            .hosts
            .lookup_row(&probe)
            .unwrap_or_else(|| panic!("{}:{}: '{}' is not found", row.table, row.line, row.host));
        let here = format!("{}:{}: '{}'", row.table, row.line, row.host);
        if got == row {
            continue;
        }
        assert!(
            ours(got.table) && !ours(row.table),
            "{here} is shadowed by {}:{} ('{}')",
            got.table,
            got.line,
            got.host
        );
    }
    for row in r.hosts.rows.iter().filter(|r| ours(r.table)) {
        let same = r.hosts.rows.iter().find(|o| {
            !ours(o.table) && o.host == row.host && o.rule == row.rule && o.matching == row.matching
        });
        if let Some(o) = same {
            panic!("{}:{}: '{}' repeats {}:{}", row.table, row.line, row.host, o.table, o.line);
        }
    }
}

#[test]
fn a_visit_remembers_its_first_pages_once_and_counts_the_rest() {
    use crate::session::LandingData;
    let mut landing = OwnedLanding::new(b"/a", None, None, 1);
    for page in (1..=100).chain(1..=10) {
        landing.viewed(page);
    }
    assert_eq!(landing.pages().count(), MAX_VISIT_PAGES);
    // Pages 65 to 100 are past the bound; 1 to 10 again are known.
    assert_eq!(landing.pages_beyond, 36);
    // A late first page view takes over: its own key first, then what was gathered.
    let mut late = OwnedLanding::new(b"/b", None, None, 500);
    late.take_over(landing);
    assert_eq!(late.page, 500);
    assert_eq!(late.pages().count(), MAX_VISIT_PAGES);
    assert_eq!(late.pages_beyond, 37);
}

#[test]
fn a_landing_keeps_its_three_fields_apart_in_one_allocation() {
    let l = OwnedLanding::new(b"/a?b=1", Some(b""), Some(b"example.com"), 7);
    assert_eq!(
        (l.target(), l.referrer(), l.vhost()),
        (&b"/a?b=1"[..], Some(&b""[..]), Some(&b"example.com"[..]))
    );
    let none = OwnedLanding::new(b"", None, None, 0);
    assert_eq!((none.target(), none.referrer(), none.vhost()), (&b""[..], None, None));
    let vhost_only = OwnedLanding::new(b"/x", None, Some(b"h"), 0);
    assert_eq!((vhost_only.referrer(), vhost_only.vhost()), (None, Some(&b"h"[..])));
}

/// A state holds a landing's fields by name, as earlier builds wrote them (the three
/// text fields apart): these are the bytes the earlier struct's derive wrote for this
/// landing, and they read back to it.
#[test]
fn a_landing_is_written_as_its_fields() {
    const EARLIER: &[u8] = b"\x88\xa6target\x96/story\xa8referrer\x9ehttps://t.co/x\xa5vhost\xc0\xa9shared_by\xc0\xa9returning\xc3\xa4page\x09\xaamore_pages\x92\x03\x04\xacpages_beyond\x02";
    let mut l = OwnedLanding::new(b"/story", Some(b"https://t.co/x"), None, 9);
    l.returning = true;
    l.more_pages = vec![3, 4];
    l.pages_beyond = 2;
    assert_eq!(rmp_serde::to_vec_named(&l).unwrap(), EARLIER);
    assert_eq!(rmp_serde::from_slice::<OwnedLanding>(EARLIER).unwrap(), l);
}

/// Why a run asks for no browser evidence, from the facts and the rules; facts from a
/// state written before darklog kept its sample read back, and claim no reason they
/// cannot know.
#[test]
fn evidence_says_why_it_is_not_asked_for() {
    let rules = rules();
    let sample = |referred, loading| Some(AssetSample { referred, loading });
    let at = |load: bool, s: Option<AssetSample>| SiteFacts {
        browsers_load_assets: load,
        asset_sample: s,
        ..SiteFacts::default()
    };
    let evidence = |rules: &Rules, f: &SiteFacts| Classifier::new(rules, f).evidence();
    assert_eq!(evidence(&rules, &at(true, sample(20, 18))), Evidence::Required);
    let mut off = self::rules();
    off.require_browser_evidence = false;
    assert_eq!(evidence(&off, &at(true, sample(20, 18))), Evidence::OffByRules);
    let few = evidence(&rules, &at(false, sample(4, 4)));
    assert!(few.why_not().unwrap().starts_with("4 readers came by a click"), "{few:?}");
    let none = evidence(&rules, &at(false, sample(40, 0)));
    assert!(none.why_not().unwrap().contains("0 of 40 readers"), "{none:?}");
    // The facts as an earlier build wrote them, by name, without the sample.
    #[derive(Serialize)]
    struct Earlier {
        site_hosts: Vec<String>,
        browsers_load_assets: bool,
        embedded_prefixes: Vec<String>,
    }
    let bytes = rmp_serde::to_vec_named(&Earlier {
        site_hosts: vec![],
        browsers_load_assets: false,
        embedded_prefixes: vec![],
    })
    .unwrap();
    let earlier: SiteFacts = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(earlier.asset_sample, None);
    assert_eq!(evidence(&rules, &earlier), Evidence::NotSeen);
    assert!(!Evidence::NotSeen.why_not().unwrap().contains("12 needed"));
}
