//! Format strings into plans: nginx `log_format` bodies (`$variables`), Apache `LogFormat`
//! strings (`%` directives, `%{…}t` strftime), and the `log_format` directives of an
//! nginx configuration file.

use super::json::{Json, JsonRole};
use super::plan::{Field, Item, Part, Plan, Role, TimeField};
use super::spec::FormatOptions;
use super::Format;

/// The nginx variable a header is logged as: `X-Forwarded-For` → `http_x_forwarded_for`.
pub(super) fn nginx_header_var(header: &str) -> String {
    format!("http_{}", header.to_ascii_lowercase().replace('-', "_"))
}

/// What an nginx variable is to darklog.
fn nginx_role(name: &str, opts: &FormatOptions) -> Role {
    match name {
        "remote_addr" => Role::Client,
        "remote_port" => Role::Port,
        "time_local" => Role::Time(TimeField::Clf),
        "time_iso8601" => Role::Time(TimeField::Iso),
        "msec" => Role::Time(TimeField::Epoch),
        "request" => Role::Request,
        "request_method" => Role::Method,
        "request_uri" => Role::Target,
        "uri" | "document_uri" => Role::Path,
        "args" | "query_string" => Role::Query,
        "status" => Role::Status,
        "body_bytes_sent" | "bytes_sent" => Role::Bytes,
        "http_referer" => Role::Referrer,
        "http_user_agent" => Role::UserAgent,
        "host" | "server_name" | "http_host" => Role::Host,
        "proxy_add_x_forwarded_for" => Role::ForwardedFor,
        n if n == nginx_header_var(&opts.client_header) => Role::ForwardedFor,
        _ => Role::Skip,
    }
}

/// Variables whose values may be lists with spaces in them.
fn nginx_list(name: &str, role: Role) -> bool {
    role == Role::ForwardedFor || name.starts_with("upstream_") || name.starts_with("http_")
}

/// Compiles an nginx `log_format` body. A body that is a JSON object (`escape=json`
/// formats are) is read as JSON, its keys mapped through the variables they hold.
pub(super) fn nginx(body: &str, opts: &FormatOptions) -> Result<Format, String> {
    if body.trim_start().starts_with('{') {
        return nginx_json(body, opts);
    }
    // These spell the request target in two or three variables with nothing between them.
    let body = body
        .replace("$uri$is_args$args", "$request_uri")
        .replace("${uri}${is_args}${args}", "$request_uri")
        .replace("$document_uri$is_args$args", "$request_uri");
    let mut items = Vec::new();
    let mut lit = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            lit.push(b[i]);
            i += 1;
            continue;
        }
        let (name, next) = if b.get(i + 1) == Some(&b'{') {
            let close = body[i..].find('}').ok_or("an unclosed ${")? + i;
            (&body[i + 2..close], close + 1)
        } else {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
            (&body[i + 1..i + 1 + n], i + 1 + n)
        };
        if name.is_empty() {
            // nginx refuses it too ("invalid variable name"): no line would fit.
            return Err(format!("a $ with no variable name after it in the nginx format '{body}'"));
        }
        if !lit.is_empty() {
            items.push(Item::Lit(std::mem::take(&mut lit)));
        }
        let role = nginx_role(name, opts);
        items.push(Item::Field(Field { list: nginx_list(name, role), ..Field::new(role) }));
        i = next;
    }
    if !lit.is_empty() {
        items.push(Item::Lit(lit));
    }
    Plan::new("nginx format string".into(), items, opts.zone.clone())
        .map(|p| Format::Plan(p.into()))
        .map_err(|e| format!("{e} in the nginx format '{body}'"))
}

/// An `escape=json` body: `{"ip": "$remote_addr", "when": "$time_iso8601", …}`.
fn nginx_json(body: &str, opts: &FormatOptions) -> Result<Format, String> {
    let mut keys = Vec::new();
    let mut rest = body;
    // Each `"key": "$var"` or `"key": $var` pair.
    while let Some(q) = rest.find('"') {
        let after = &rest[q + 1..];
        let Some(end) = after.find('"') else { break };
        let key = &after[..end];
        let value = after[end + 1..].trim_start();
        rest = &after[end + 1..];
        let Some(value) = value.strip_prefix(':') else { continue };
        let value = value.trim_start().trim_start_matches('"');
        let Some(var) = value.strip_prefix('$') else { continue };
        let var: String = var.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let role = match nginx_role(&var, opts) {
            Role::Client => JsonRole::Client,
            Role::Time(_) => JsonRole::Time,
            Role::Request => JsonRole::Request,
            Role::Method => JsonRole::Method,
            Role::Target => JsonRole::Target,
            Role::Path => JsonRole::Path,
            Role::Query => JsonRole::Query,
            Role::Status => JsonRole::Status,
            Role::Referrer => JsonRole::Referrer,
            Role::UserAgent => JsonRole::UserAgent,
            Role::Host => JsonRole::Host,
            Role::ForwardedFor => JsonRole::ForwardedFor,
            _ => continue,
        };
        keys.push((role, key.to_string()));
    }
    for role in [JsonRole::Client, JsonRole::Time] {
        if !keys.iter().any(|(r, _)| *r == role) {
            return Err(format!("the JSON format names no {} variable: '{body}'", role.name()));
        }
    }
    Ok(Format::Json(Json::with_keys("nginx JSON format", &keys, opts).into()))
}

/// Compiles an Apache `LogFormat` string.
pub(super) fn apache(format: &str, opts: &FormatOptions) -> Result<Format, String> {
    // As written in a configuration file, with its quotes escaped.
    let text = format.replace("\\\"", "\"").replace("\\t", "\t");
    let b = text.as_bytes();
    let mut items: Vec<Item> = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    let flush = |items: &mut Vec<Item>, lit: &mut Vec<u8>| {
        if !lit.is_empty() {
            items.push(Item::Lit(std::mem::take(lit)));
        }
    };
    while i < b.len() {
        if b[i] != b'%' {
            lit.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        // Modifiers: status conditions, `<` and `>` (original or final request).
        while i < b.len()
            && (b[i] == b'<' || b[i] == b'>' || b[i] == b'!' || b[i] == b',' || b[i].is_ascii_digit())
        {
            i += 1;
        }
        let arg = if b.get(i) == Some(&b'{') {
            let close = text[i..].find('}').ok_or("an unclosed %{")? + i;
            let arg = &text[i + 1..close];
            i = close + 1;
            Some(arg)
        } else {
            None
        };
        let Some(&directive) = b.get(i) else { return Err("a % at the end".into()) };
        i += 1;
        if directive == b'%' {
            lit.push(b'%');
            continue;
        }
        flush(&mut items, &mut lit);
        let field = |role| Item::Field(Field::new(role));
        match (directive, arg) {
            (b'h' | b'a', _) => items.push(field(Role::Client)),
            (b't', None) => {
                items.push(Item::Lit(b"[".to_vec()));
                items.push(field(Role::Time(TimeField::Clf)));
                items.push(Item::Lit(b"]".to_vec()));
            }
            (b't', Some(spec)) => strftime(spec, &mut items)?,
            (b'r', _) => items.push(field(Role::Request)),
            (b'm', _) => items.push(field(Role::Method)),
            (b'U', _) if text[i..].starts_with("%q") => {
                i += 2;
                items.push(field(Role::Target));
            }
            (b'U', _) => items.push(field(Role::Path)),
            (b'q', _) => items.push(field(Role::QueryMark)),
            (b's', _) => items.push(field(Role::Status)),
            (b'b' | b'B' | b'O' | b'I' | b'S', _) => items.push(field(Role::Bytes)),
            (b'v' | b'V', _) => items.push(field(Role::Host)),
            (b'i', Some(h)) if h.eq_ignore_ascii_case("Referer") => items.push(field(Role::Referrer)),
            (b'i', Some(h)) if h.eq_ignore_ascii_case("User-Agent") => items.push(field(Role::UserAgent)),
            (b'i', Some(h)) if h.eq_ignore_ascii_case("Host") => items.push(field(Role::Host)),
            (b'i', Some(h)) => {
                let role =
                    if h.eq_ignore_ascii_case(&opts.client_header) { Role::ForwardedFor } else { Role::Skip };
                items.push(Item::Field(Field { list: true, ..Field::new(role) }));
            }
            (b'p', Some(a)) if a.eq_ignore_ascii_case("remote") => items.push(field(Role::Port)),
            (b'l' | b'u' | b'H' | b'D' | b'T' | b'p' | b'P' | b'f' | b'k' | b'L' | b'R' | b'X', _)
            | (b'o' | b'e' | b'n' | b'C' | b'x' | b'^', Some(_)) => items.push(field(Role::Skip)),
            (d, _) => {
                return Err(format!("%{} is not an Apache LogFormat directive darklog knows", d as char))
            }
        }
    }
    flush(&mut items, &mut lit);
    Plan::new("apache format string".into(), items, opts.zone.clone())
        .map(|p| Format::Plan(p.into()))
        .map_err(|e| format!("{e} in the Apache format '{format}'"))
}

/// `%{…}t`: `sec`, `msec`, `usec`, a `begin:`/`end:` prefix, or a strftime format
/// expanded into its parts.
fn strftime(spec: &str, items: &mut Vec<Item>) -> Result<(), String> {
    let spec = spec.strip_prefix("begin:").or_else(|| spec.strip_prefix("end:")).unwrap_or(spec);
    let part = |p| Item::Field(Field::new(Role::Time(TimeField::Part(p))));
    match spec {
        "" | "begin" | "end" => {
            items.push(Item::Lit(b"[".to_vec()));
            items.push(Item::Field(Field::new(Role::Time(TimeField::Clf))));
            items.push(Item::Lit(b"]".to_vec()));
            return Ok(());
        }
        "sec" | "msec" | "usec" => {
            items.push(Item::Field(Field::new(Role::Time(TimeField::Epoch))));
            return Ok(());
        }
        "msec_frac" | "usec_frac" => {
            items.push(part(Part::Digits));
            return Ok(());
        }
        _ => {}
    }
    let mut chars = spec.chars();
    let mut lit = String::new();
    let push_lit = |items: &mut Vec<Item>, lit: &mut String| {
        if !lit.is_empty() {
            // Literals already in the plan run on into this one.
            match items.last_mut() {
                Some(Item::Lit(l)) => l.extend_from_slice(lit.as_bytes()),
                _ => items.push(Item::Lit(lit.as_bytes().to_vec())),
            }
            lit.clear();
        }
    };
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        let conv = chars.next().ok_or("a % at the end of a time format")?;
        if conv == '%' {
            lit.push('%');
            continue;
        }
        push_lit(items, &mut lit);
        let parts: &[Part] = match conv {
            'Y' => &[Part::Year],
            'y' => &[Part::Year2],
            'm' => &[Part::Month],
            'b' | 'h' => &[Part::MonthName],
            'd' => &[Part::Day],
            'e' => &[Part::DaySpace],
            'H' => &[Part::Hour],
            'M' => &[Part::Minute],
            'S' => &[Part::Second],
            'z' => &[Part::Offset],
            'a' | 'A' | 'B' | 'p' | 'Z' => &[Part::Word],
            'T' => {
                items.extend([part(Part::Hour), Item::Lit(b":".to_vec()), part(Part::Minute)]);
                items.extend([Item::Lit(b":".to_vec()), part(Part::Second)]);
                continue;
            }
            'F' => {
                items.extend([part(Part::Year), Item::Lit(b"-".to_vec()), part(Part::Month)]);
                items.extend([Item::Lit(b"-".to_vec()), part(Part::Day)]);
                continue;
            }
            's' => {
                items.push(Item::Field(Field::new(Role::Time(TimeField::Epoch))));
                continue;
            }
            other => return Err(format!("%{other} in a time format is not one darklog reads")),
        };
        items.extend(parts.iter().map(|&p| part(p)));
    }
    push_lit(items, &mut lit);
    Ok(())
}

/// The body of the `log_format NAME` directive in an nginx configuration (or the only
/// one, or the one `access_log` uses when NAME is not given), and whether it says
/// `escape=json`. The predefined `combined` needs no directive.
pub fn nginx_conf(text: &str, name: Option<&str>) -> Result<String, String> {
    // Comments out, then directives split on `;` outside quotes.
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    // nginx refuses a log_format with no `;` after it; read on, it would be lost without a
    // word and the file taken for one that names no format (read as combined).
    let unended = |words: &[String], began: usize, by: &str| -> Result<(), String> {
        match words.first() {
            Some(w) if w == "log_format" => {
                Err(format!("the log_format directive on line {} has no ';' to end it{by}", line(began)))
            }
            _ => Ok(()),
        }
    };
    let mut directives: Vec<Vec<String>> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    let mut quoted = false;
    // Where the directive being read began: its first word's first character.
    let mut began = 0;
    while let Some((at, c)) = chars.next() {
        if words.is_empty() && word.is_empty() && !quoted && !c.is_whitespace() && !"#;{}".contains(c) {
            began = at;
        }
        match c {
            '#' if word.is_empty() => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' | '"' => {
                let close = c;
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        // nginx's escapes: a quote in a quoted string does not close it.
                        '\\' => match chars.next() {
                            Some((_, e @ ('"' | '\'' | '\\'))) => word.push(e),
                            Some((_, e)) => word.extend(['\\', e]),
                            None => word.push('\\'),
                        },
                        c if c == close => {
                            closed = true;
                            break;
                        }
                        c => word.push(c),
                    }
                }
                if !closed {
                    return Err(format!("the quote ({c}) on line {} is never closed", line(at)));
                }
                quoted = true;
            }
            ';' | '{' | '}' => {
                if !word.is_empty() || quoted {
                    words.push(std::mem::take(&mut word));
                }
                quoted = false;
                if c == ';' {
                    directives.push(std::mem::take(&mut words));
                } else {
                    unended(&words, began, &format!(" before the '{c}' on line {}", line(at)))?;
                    words.clear();
                }
            }
            c if c.is_whitespace() => {
                if !word.is_empty() || quoted {
                    words.push(std::mem::take(&mut word));
                }
                quoted = false;
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() || quoted {
        words.push(word);
    }
    unended(&words, began, "")?;
    let formats: Vec<(&str, String)> = directives
        .iter()
        .filter(|d| d.first().map(String::as_str) == Some("log_format") && d.len() >= 3)
        .map(|d| {
            let body = d[2..].iter().filter(|w| !w.starts_with("escape=")).cloned().collect::<String>();
            (d[1].as_str(), body)
        })
        .collect();
    let used: Vec<&str> = directives
        .iter()
        .filter(|d| d.first().map(String::as_str) == Some("access_log") && d.len() >= 3)
        .map(|d| d[2].as_str())
        .collect();
    let combined = || crate::parse::Preset::Combined.nginx_body().unwrap_or_default().to_string();
    let bare_access_log = directives.iter().any(|d| d.len() == 2 && d[0] == "access_log" && d[1] != "off");
    let includes =
        directives.iter().any(|d| d.len() == 2 && d[0] == "include" && !d[1].ends_with("mime.types"));
    let names = || formats.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let pick = |n: &str| -> Result<String, String> {
        match formats.iter().find(|(f, _)| *f == n) {
            Some((_, body)) => Ok(body.clone()),
            None if n == "combined" => Ok(combined()),
            None => Err(format!("no log_format named '{n}' (it has: {})", names())),
        }
    };
    match (name, formats.as_slice(), used.first()) {
        (Some(n), _, _) => pick(n),
        // nginx's predefined format: what `access_log PATH;` writes (Debian's stock file),
        // and what a file with no log directive at all logs (nginx.org's), unless the
        // format may be in a file this one includes, which is not read.
        (None, [], _) if bare_access_log || !includes => Ok(combined()),
        (None, [], _) => Err("no log_format directive in it, and it includes other files (give the one \
                              that holds it)"
            .into()),
        (None, [(_, body)], _) => Ok(body.clone()),
        (None, _, Some(u)) if used.iter().all(|x| x == u) => pick(u),
        (None, _, _) => {
            Err(format!("several log_format directives ({}): choose one with --log-name", names()))
        }
    }
}
