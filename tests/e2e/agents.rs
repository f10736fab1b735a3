//! Real user-agent strings with the verdict a careful classifier should reach
//! (`../shared/data/ua-samples.tsv`: previews, in-app browsers, crawlers, browsers), run
//! through the binary's own tables with `darklog analyze`: each agent requests one deep
//! page with no referrer, and the report says what became of it.

use crate::util::*;

#[test]
fn shared_user_agent_samples_get_their_verdict() {
    let Some(data) = shared_data() else { return };
    let tsv = std::fs::read_to_string(data.join("ua-samples.tsv")).unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for (i, row) in tsv.lines().enumerate() {
        let f: Vec<&str> = row.splitn(3, '\t').collect();
        let [class, app, ua] = [f[0], f[1], f[2]];
        n += 1;
        let line = format!(
            "192.0.2.{} - - [02/Nov/2026:10:00:00 +0000] \"GET /news/2026/11/02/story HTTP/1.1\" 200 1 \"-\" \"{}\"\n",
            i % 250,
            ua.replace('"', "\\\"")
        );
        let r = darklog_stdin(
            &["analyze", "-", "--format", "json", "-q", "--report", "channels"],
            line.as_bytes(),
        );
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let visits = |name: &str| {
            doc["channels"].as_array().unwrap().iter().find(|c| c["channel"] == name).unwrap()["visits"]
                .as_u64()
                .unwrap()
        };
        let got = if visits("excluded:link-previews") == 1 {
            "preview-bot"
        } else if visits("excluded:bots") == 1 {
            "crawler"
        } else {
            "reader"
        };
        let want = match class {
            "preview-bot" => "preview-bot",
            "crawler" => "crawler",
            _ => "reader",
        };
        if got != want {
            wrong.push(format!("{class} {app}: got {got}: {ua}"));
        }
    }
    assert!(n >= 100, "{n} samples");
    assert!(wrong.is_empty(), "{} of {n} wrong:\n{}", wrong.len(), wrong.join("\n"));
}

/// A client that sends no user agent is no browser, where the log records agents (a
/// scanner's `"-"` on a site whose assets sit on a CDN was counted dark social); where
/// the log keeps none (stripped, or a layout without the field), nothing is judged on it.
#[test]
fn no_agent_sent_is_no_reader_where_the_log_records_agents() {
    let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  Chrome/131.0.0.0 Safari/537.36";
    let line = |i: usize, ua: &str| {
        format!(
            "198.51.100.{i} - - [02/Nov/2026:10:{:02}:00 +0000] \"GET /news/story-{i} HTTP/1.1\" 200 1 \"-\" \"{ua}\"\n",
            i % 60
        )
    };
    // Twenty readers on pages whose assets no log here shows, ten clients with no agent.
    let mut log = String::new();
    for i in 0..30 {
        log.push_str(&line(i, if i < 20 { chrome } else { "-" }));
    }
    let channels = |log: &str| {
        let r = darklog_stdin(
            &["analyze", "-", "--format", "json", "-q", "--report", "channels"],
            log.as_bytes(),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let visits = |name: &str| {
            doc["channels"].as_array().unwrap().iter().find(|c| c["channel"] == name).unwrap()["visits"]
                .as_u64()
                .unwrap()
        };
        (visits("dark-social"), visits("excluded:bots"))
    };
    assert_eq!(channels(&log), (20, 10));
    // Agents stripped from the whole log: every visit is still a reader's.
    let stripped = log.replace(chrome, "-");
    assert_eq!(channels(&stripped), (30, 0));
    // `explain` says why, from the lines around it.
    let r = darklog_stdin(&["explain"], log.as_bytes());
    assert!(r.stdout.contains("none sent, where the log's other lines carry one"), "{}", r.stdout);
    let r = darklog_stdin(&["explain"], stripped.as_bytes());
    assert!(!r.stdout.contains("none sent"), "{}", r.stdout);
    assert!(r.stdout.contains("none logged"), "{}", r.stdout);
    // One fact for the run, from its first lines: the same lines rotated into two files,
    // the second holding only clients that sent none, give the one file's answer; and so
    // does a part of a job split by visitor that holds only them.
    let dir = tempfile::tempdir().unwrap();
    let (readers, agentless) =
        log.split_at(log.find("\"-\"\n").map(|i| log[..i].rfind('\n').unwrap() + 1).unwrap());
    let old = write(dir.path(), "access.log.1", readers.as_bytes());
    let new = write(dir.path(), "access.log", agentless.as_bytes());
    let two = darklog(&["analyze", s(&old), s(&new), "--format", "csv", "-q", "--report", "channels"]);
    let one =
        darklog_stdin(&["analyze", "-", "--format", "csv", "-q", "--report", "channels"], log.as_bytes());
    assert_eq!(two.stdout, one.stdout);
    let key = ["--visitor-key", "k", "-q"];
    let whole = write(dir.path(), "whole.log", log.as_bytes());
    let profile = dir.path().join("job.profile");
    assert_eq!(darklog(&[&["profile", s(&whole), "-o", s(&profile)][..], &key[..]].concat()).code, 0);
    let mut states = Vec::new();
    for (i, part) in [&old, &new].into_iter().enumerate() {
        let keyed = darklog(&[&["key", s(part)][..], &key[..]].concat()).stdout;
        let keyed = write(dir.path(), &format!("{i}.keyed"), keyed.as_bytes());
        let state = dir.path().join(format!("{i}.state"));
        let args = ["partial", "--keyed", s(&keyed), "--profile", s(&profile), "-o", s(&state)];
        assert_eq!(darklog(&[&args[..], &key[..]].concat()).code, 0);
        states.push(state);
    }
    let args = ["merge", s(&states[0]), s(&states[1]), "--format", "csv", "--report", "channels"];
    assert_eq!(darklog(&[&args[..], &key[..]].concat()).stdout, one.stdout);
    // As an engine profiles a job, file by file, the earliest file holding only the
    // agent-less clients: the joined profile says the job's files carry agents.
    let mut profiles = vec!["profile".to_string()];
    for (i, part) in [&new, &old].into_iter().enumerate() {
        let p = dir.path().join(format!("{i}.profile"));
        assert_eq!(darklog(&[&["profile", s(part), "-o", s(&p)][..], &key[..]].concat()).code, 0);
        profiles.push(s(&p).to_string());
    }
    profiles.extend(["-o".to_string(), s(&profile).to_string()]);
    let args: Vec<&str> = profiles.iter().map(String::as_str).chain(key).collect();
    assert_eq!(darklog(&args).code, 0);
    let both = write(
        dir.path(),
        "both.keyed",
        darklog(&[&["key", s(&new), s(&old)][..], &key[..]].concat()).stdout.as_bytes(),
    );
    let state = dir.path().join("both.state");
    let args = ["partial", "--keyed", s(&both), "--profile", s(&profile), "-o", s(&state)];
    assert_eq!(darklog(&[&args[..], &key[..]].concat()).code, 0);
    let args = ["merge", s(&state), "--format", "csv", "--report", "channels"];
    assert_eq!(darklog(&[&args[..], &key[..]].concat()).stdout, one.stdout);
    // A site that stops logging agents (week two: readers with referrers, agents "-"):
    // its readers are not all bots, whatever the state learned in week one.
    let state = dir.path().join("weekly.state");
    let week = ["--state", s(&state), "--format", "csv", "--report", "channels", "-q"];
    assert_eq!(darklog(&[&["analyze", s(&old)][..], &week[..]].concat()).code, 0);
    let stripped_week: String = (0..30)
        .map(|i| {
            format!(
                "203.0.113.{i} - - [09/Nov/2026:10:{i:02}:00 +0000] \"GET /news/week-two-{i} HTTP/1.1\" 200 1 \
                 \"https://www.google.com/\" \"-\"\n"
            )
        })
        .collect();
    let week2 = write(dir.path(), "week2.log", stripped_week.as_bytes());
    let r = darklog(&[&["analyze", s(&old), s(&week2), "--day", "2026-11-09"][..], &week[..]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("search,30,100.00,30,channel") && r.stdout.contains("excluded:bots,0,"),
        "{}",
        r.stdout
    );
}
