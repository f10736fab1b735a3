//! What `--log-format` says: `auto`, a preset, or a format string (nginx's `$variables`,
//! Apache's `%` directives), and the options the other flags add. One parser for every
//! command, so `analyze`, `explain`, the errors and the README speak the same names.

use std::str::FromStr;

use super::clf::{Clf, ClfKind};
use super::json::{Json, JsonRole};
use super::w3c::{W3c, W3cKind};
use super::{compile, Alb, Format, Haproxy};
use crate::time::Zone;

/// A layout darklog knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Combined,
    Common,
    VhostCombined,
    Json,
    Caddy,
    W3c,
    Cloudfront,
    Alb,
    /// AWS's Classic Load Balancer.
    Elb,
    Haproxy,
    Traefik,
    /// nginx's stock `main`: combined and a quoted `$http_x_forwarded_for`.
    Main,
    /// Nginx Proxy Manager's `proxy` format, which its proxy hosts log in.
    Npm,
}

/// nginx's `main` format, as `conf/nginx.conf` ships it (commented out).
const MAIN: &str = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \
                    \"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\"";

/// Traefik's default access log ("common"): combined plus the request count, the router,
/// the service URL and the duration in milliseconds.
const TRAEFIK: &str = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \
                       \"$http_referer\" \"$http_user_agent\" $request_count \"$router\" \"$service_url\" ${duration}ms";

/// Nginx Proxy Manager's `proxy` log format (`docker/rootfs/etc/nginx/nginx.conf` and
/// `conf.d/include/log-proxy.conf` of NginxProxyManager/nginx-proxy-manager).
const NPM: &str = "[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme \
                   $host \"$request_uri\" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] \
                   [Sent-to $server] \"$http_user_agent\" \"$http_referer\"";

impl Preset {
    /// Every preset, in the order detection tries them: the more specific first, so that
    /// of two that read a sample equally well the narrower wins.
    pub const ALL: [Preset; 13] = [
        Preset::W3c,
        Preset::Cloudfront,
        Preset::Caddy,
        Preset::Json,
        Preset::VhostCombined,
        Preset::Traefik,
        Preset::Main,
        Preset::Npm,
        Preset::Combined,
        Preset::Common,
        Preset::Alb,
        Preset::Elb,
        Preset::Haproxy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Combined => "combined",
            Preset::Common => "common",
            Preset::VhostCombined => "vhost_combined",
            Preset::Json => "json",
            Preset::Caddy => "caddy",
            Preset::W3c => "w3c",
            Preset::Cloudfront => "cloudfront",
            Preset::Alb => "alb",
            Preset::Elb => "elb",
            Preset::Haproxy => "haproxy",
            Preset::Traefik => "traefik",
            Preset::Main => "main",
            Preset::Npm => "npm",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        let name = name.trim().replace('-', "_");
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The preset as an nginx format string, where it is one.
    pub fn nginx_body(self) -> Option<&'static str> {
        match self {
            Preset::Combined => Some(
                "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"",
            ),
            Preset::Traefik => Some(TRAEFIK),
            Preset::Main => Some(MAIN),
            Preset::Npm => Some(NPM),
            _ => None,
        }
    }

    pub fn build(self, opts: &FormatOptions) -> Format {
        match self {
            Preset::Combined => Format::COMBINED,
            Preset::Common => Format::COMMON,
            Preset::VhostCombined => Format::VHOST_COMBINED,
            Preset::Json => Format::Json(Json::nginx_and_traefik(opts).into()),
            Preset::Caddy => Format::Json(Json::caddy(opts).into()),
            Preset::W3c => Format::W3c(W3c::new(W3cKind::Iis, &opts.client_header).into()),
            Preset::Cloudfront => Format::W3c(W3c::new(W3cKind::CloudFront, &opts.client_header).into()),
            Preset::Alb => Format::Alb(Alb { classic: false }),
            Preset::Elb => Format::Alb(Alb { classic: true }),
            Preset::Haproxy => {
                Format::Haproxy(Haproxy::new(&opts.captures, &opts.client_header, opts.zone.clone()).into())
            }
            Preset::Traefik | Preset::Main | Preset::Npm => {
                let body = self.nginx_body().unwrap_or_default();
                match compile::nginx(body, opts) {
                    Ok(Format::Plan(p)) => {
                        let mut plan = (*p).clone();
                        plan.name = self.name().into();
                        // `main` is often extended (timings, upstreams): the forwarded-for
                        // header is still where `main` has it.
                        plan.open_end = self == Preset::Main;
                        Format::Plan(plan.into())
                    }
                    _ => unreachable!("the presets that are format strings compile"),
                }
            }
        }
    }
}

/// What `--log-format` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatSpec {
    /// Detect each input's layout from its first lines.
    Auto,
    Preset(Preset),
    /// An nginx `log_format` body.
    Nginx(String),
    /// An Apache `LogFormat` string.
    Apache(String),
}

/// What the other flags tell a format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatOptions {
    /// The zone of times written without an offset (HAProxy's, strftime without `%z`).
    pub zone: Zone,
    /// Whether `--tz` named it (UTC otherwise, and said when a layout needs it).
    pub zone_named: bool,
    /// The header that names the client behind a proxy (`--client-ip`).
    pub client_header: String,
    /// HAProxy's captured request headers, in the order of the configuration.
    pub captures: Vec<String>,
    /// `--json-field ROLE=KEY`: keys a JSON layout names otherwise.
    pub json_fields: Vec<(JsonRole, String)>,
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions {
            zone: Zone::utc(),
            zone_named: false,
            client_header: "X-Forwarded-For".into(),
            captures: ["Host", "Referer", "User-Agent"].map(String::from).to_vec(),
            json_fields: Vec::new(),
        }
    }
}

/// A format that cannot be used, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// The names `--log-format` takes, for messages.
pub fn preset_names() -> String {
    let mut names: Vec<&str> = vec!["auto"];
    names.extend(Preset::ALL.map(Preset::name));
    names.join(", ")
}

impl FromStr for FormatSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<FormatSpec, String> {
        if s.trim() == "auto" {
            return Ok(FormatSpec::Auto);
        }
        if let Some(p) = Preset::from_name(s) {
            return Ok(FormatSpec::Preset(p));
        }
        if s.contains('$') {
            return Ok(FormatSpec::Nginx(s.to_string()));
        }
        if s.contains('%') {
            return Ok(FormatSpec::Apache(s.to_string()));
        }
        Err(format!(
            "unknown log format '{s}': a preset ({}), an nginx log_format string ('$remote_addr - $remote_user \
             [$time_local] \"$request\" $status …') or an Apache LogFormat string ('%h %l %u %t \"%r\" %>s %b …')",
            preset_names()
        ))
    }
}

impl FormatSpec {
    /// The format, built with `opts`; `None` for `auto`. A format string that cannot be
    /// read is an error that says why.
    pub fn build(&self, opts: &FormatOptions) -> Result<Option<Format>, FormatError> {
        match self {
            FormatSpec::Auto => Ok(None),
            FormatSpec::Preset(p) => Ok(Some(p.build(opts))),
            FormatSpec::Nginx(body) => compile::nginx(body, opts).map(Some).map_err(FormatError),
            FormatSpec::Apache(body) => compile::apache(body, opts).map(Some).map_err(FormatError),
        }
    }

    /// The `log_format` of an nginx configuration file's text (see
    /// [`compile::nginx_conf`]).
    pub fn from_nginx_conf(text: &str, name: Option<&str>) -> Result<FormatSpec, FormatError> {
        compile::nginx_conf(text, name).map(FormatSpec::Nginx).map_err(FormatError)
    }
}

impl Clf {
    /// The preset this member of the family is.
    pub fn preset(self) -> Preset {
        match self.0 {
            ClfKind::Combined => Preset::Combined,
            ClfKind::Common => Preset::Common,
            ClfKind::VhostCombined => Preset::VhostCombined,
        }
    }
}
