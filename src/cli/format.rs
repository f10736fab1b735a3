//! The flags that say how to read a log, shared by `analyze` and `explain`: the layout
//! (`--log-format`, `--nginx-conf`), what the layout leaves open (JSON keys, HAProxy's
//! captured headers, the zone of times without an offset) and the client behind a proxy.

use std::path::PathBuf;

use clap::Args;

use super::{usage_error, Error};
use crate::parse::{Cidr, ClientIp, Format, FormatOptions, FormatSpec, JsonRole};
use crate::time::Zone;

#[derive(Debug, Clone, Args)]
pub struct FormatArgs {
    /// Log layout: auto (detects each input's from its first lines), a preset (combined,
    /// common, vhost_combined, main, npm, traefik, json, caddy, w3c, cloudfront, alb, elb,
    /// haproxy), an nginx log_format string ('$remote_addr … "$request" …') or an Apache
    /// LogFormat string ('%h %l %u %t "%r" %>s %b …').
    #[arg(long, default_value = "auto", value_parser = clap::value_parser!(FormatSpec), value_name = "FORMAT")]
    pub log_format: FormatSpec,

    /// Read the layout from an nginx configuration file's log_format directive.
    #[arg(long, value_name = "FILE", conflicts_with = "log_format")]
    pub nginx_conf: Option<PathBuf>,

    /// Which log_format of --nginx-conf (default: the only one, or the one access_log uses).
    #[arg(long, value_name = "NAME", requires = "nginx_conf")]
    pub log_name: Option<String>,

    /// A JSON key for a role (repeatable; dotted paths for nested keys): client, time,
    /// request, method, path, query, status, bytes, referrer, user_agent, host,
    /// forwarded_for. E.g. --json-field client=req.ip
    #[arg(long = "json-field", value_parser = parse_json_field, value_name = "ROLE=KEY")]
    pub json_fields: Vec<(JsonRole, String)>,

    /// HAProxy's captured request headers, in the order of its `capture request header`
    /// lines.
    #[arg(long, value_delimiter = ',', default_value = "Host,Referer,User-Agent", value_name = "LIST")]
    pub captured_headers: Vec<String>,

    /// Take the client from this header (x-forwarded-for, or any the layout logs): the
    /// right-most address that is not a trusted proxy, as nginx's real_ip_recursive does.
    #[arg(long, value_name = "HEADER")]
    pub client_ip: Option<String>,

    /// A proxy's address range to trust with --client-ip (repeatable); loopback and
    /// private ranges are trusted already.
    #[arg(long = "trusted-proxy", value_name = "CIDR", requires = "client_ip")]
    pub trusted_proxies: Vec<Cidr>,

    /// The time zone of the daily report's days and of --since/--until dates: an IANA
    /// name (Europe/Berlin) or an offset (+01:00). Also the zone of log times written
    /// without an offset (HAProxy's). [default: UTC]
    #[arg(long = "tz", value_parser = Zone::parse, value_name = "ZONE")]
    tz: Option<Zone>,
}

fn parse_json_field(s: &str) -> Result<(JsonRole, String), String> {
    let (role, key) = s.split_once('=').ok_or_else(|| format!("'{s}' is not ROLE=KEY"))?;
    if key.is_empty() {
        return Err(format!("'{s}' names no key"));
    }
    Ok((role.trim().parse()?, key.trim().to_string()))
}

/// How to read the inputs, as the flags say.
pub struct Reading {
    /// `None`: detect each input's layout.
    pub format: Option<Format>,
    pub options: FormatOptions,
    pub client_ip: Option<ClientIp>,
}

impl FormatArgs {
    /// The flags that say how a line is read, as a user would write them (what a refused
    /// state's message shows; `describe` is what it compares).
    pub fn words(&self) -> String {
        let mut w = vec![match (&self.nginx_conf, &self.log_format) {
            (Some(conf), _) => format!("--nginx-conf {}", conf.display()),
            (None, FormatSpec::Auto) => "--log-format auto".to_string(),
            (None, FormatSpec::Preset(p)) => format!("--log-format {}", p.name()),
            (None, FormatSpec::Nginx(s) | FormatSpec::Apache(s)) => format!("--log-format '{s}'"),
        }];
        w.extend(self.log_name.iter().map(|n| format!("--log-name {n}")));
        w.extend(self.json_fields.iter().map(|(role, key)| format!("--json-field {}={key}", role.name())));
        if self.captured_headers.join(",") != "Host,Referer,User-Agent" {
            w.push(format!("--captured-headers {}", self.captured_headers.join(",")));
        }
        w.extend(self.client_ip.iter().map(|h| format!("--client-ip {h}")));
        w.extend(self.trusted_proxies.iter().map(|c| format!("--trusted-proxy {c}")));
        w.join(" ")
    }

    /// Whether the layout is detected from the logs (no layout or nginx conf named).
    pub fn detects(&self) -> bool {
        self.nginx_conf.is_none() && matches!(self.log_format, FormatSpec::Auto)
    }

    /// Every flag here that changes how a line is read, in words (what a saved state
    /// records: another reading would make other visitors of the same lines).
    pub fn describe(&self) -> String {
        format!(
            "{:?} conf {:?} {:?} json {:?} captures {:?} client {:?} trusted {:?}",
            self.log_format,
            self.nginx_conf,
            self.log_name,
            self.json_fields,
            self.captured_headers,
            self.client_ip,
            self.trusted_proxies
        )
    }

    /// `--tz`, UTC when not given.
    pub fn zone(&self) -> Zone {
        self.tz.clone().unwrap_or_else(Zone::utc)
    }

    pub fn reading(&self) -> Result<Reading, Error> {
        let options = FormatOptions {
            zone: self.zone(),
            zone_named: self.tz.is_some(),
            client_header: self.client_ip.clone().unwrap_or_else(|| "X-Forwarded-For".into()),
            captures: self.captured_headers.clone(),
            json_fields: self.json_fields.clone(),
        };
        let spec = match &self.nginx_conf {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| usage_error(format!("--nginx-conf {}: {e}", path.display())))?;
                FormatSpec::from_nginx_conf(&text, self.log_name.as_deref())
                    .map_err(|e| usage_error(format!("--nginx-conf {}: {e}", path.display())))?
            }
            None => self.log_format.clone(),
        };
        let format = spec.build(&options).map_err(|e| usage_error(format!("--log-format: {e}")))?;
        let client_ip = self.client_ip.as_ref().map(|_| ClientIp::new(&self.trusted_proxies));
        Ok(Reading { format, options, client_ip })
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::Preset;
    use clap::CommandFactory;

    #[test]
    fn the_layout_help_names_every_preset() {
        let cli = super::super::Cli::command();
        for command in ["analyze", "explain", "profile"] {
            let sub = cli.find_subcommand(command).unwrap_or_else(|| panic!("{command}"));
            let arg = sub.get_arguments().find(|a| a.get_id() == "log_format").expect(command);
            let help = arg.get_help().expect("help").to_string();
            // The list in brackets after "a preset", name by name (`combined` is no
            // `vhost_combined`).
            let list =
                help.split_once("a preset (").and_then(|(_, rest)| rest.split_once(')')).expect(command).0;
            let listed: Vec<&str> = list.split(',').map(str::trim).collect();
            let missing: Vec<&str> =
                Preset::ALL.map(Preset::name).into_iter().filter(|name| !listed.contains(name)).collect();
            assert!(missing.is_empty(), "{command} --log-format's help misses {missing:?}");
        }
    }
}
