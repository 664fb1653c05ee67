//! An organization's domains: add (pending, with the TXT record to publish), verify now, the
//! background check of pending ones (back-off, expiry), policy and default roles, removal — and
//! joining through a verified domain (`auto_join`).
//!
//! The DNS look-up happens here, before the command; the organization's aggregate only records
//! what was found, and the claim `domain/<name>/verified` keeps a domain to one organization.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use domain::membership::{MembershipSource, Subject};
use domain::organization::{
    AddDomain, Organization, OrganizationCommand, OrganizationDomain, OrganizationEvent,
    UpdateDomain,
};
use domain::values::{Attributes, DomainName, Email};
use domain::{claims, OrganizationId, RequestContext};
use rand::RngCore;

use super::memberships::{join_requiring, Joined, NewMembership};
use super::{execute, load, reach, AppError, Kind, Written};
use crate::dns::Dns;
use crate::CommandState;

/// How long a pending domain is checked before it expires.
pub const VERIFICATION_WINDOW: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// The TXT value's prefix: `roster-verification=<token>`.
const VALUE_PREFIX: &str = "roster-verification=";

/// Free-mail domains refused by default (`roster serve --free-mail-domains FILE` replaces them):
/// an address under them says nothing about an organization.
pub const FREE_MAIL: &[&str] = &[
    "aol.com",
    "fastmail.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "tutanota.com",
    "web.de",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "163.com",
];

/// How domains are checked in this deployment.
#[derive(Debug, Clone)]
pub struct DomainSettings {
    pub dns: Dns,
    /// Refused as organization domains.
    pub free_mail: Arc<BTreeSet<DomainName>>,
    /// The background check's back-off: the first retry after `first_retry`, each next one
    /// twice as late, at most `max_retry` apart.
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl DomainSettings {
    /// The system resolver, the built-in free-mail list, retries from 1 minute to 1 hour.
    pub fn system() -> Self {
        Self {
            dns: Dns::system(),
            free_mail: Arc::new(default_free_mail()),
            first_retry: Duration::from_secs(60),
            max_retry: Duration::from_secs(3600),
        }
    }
}

pub fn default_free_mail() -> BTreeSet<DomainName> {
    FREE_MAIL
        .iter()
        .filter_map(|d| DomainName::parse(d).ok())
        .collect()
}

fn carried(event: &OrganizationEvent) -> Option<&OrganizationDomain> {
    event.domain()
}

/// Runs a domain command on `org`; the domain from its event, or (no change) as it is.
async fn run(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    domain: &DomainName,
    command: OrganizationCommand,
) -> Result<Written<OrganizationDomain>, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    let id = org.to_string();
    execute(
        &state.organizations,
        ctx,
        (&id, &id),
        command,
        carried,
        |o: &Organization| o.domains.get(domain).cloned(),
    )
    .await
}

/// Adds `domain` to `org`, pending, with a fresh random token to publish.
pub async fn add(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    domain: DomainName,
) -> Result<Written<OrganizationDomain>, AppError> {
    let command = OrganizationCommand::AddDomain(new_domain(state, domain.clone(), Utc::now())?);
    run(state, ctx, org, &domain, command).await
}

/// Adding `domain` at `at`: refused when it is a free-mail domain here; else pending, with a
/// fresh random token to publish and the verification window from `at`.
pub(crate) fn new_domain(
    state: &CommandState,
    domain: DomainName,
    at: DateTime<Utc>,
) -> Result<AddDomain, AppError> {
    if state.domains.free_mail.contains(&domain) {
        return Err(AppError::FreeMailDomain(domain.as_str().to_owned()));
    }
    let mut token = [0u8; 24];
    rand::rng().fill_bytes(&mut token);
    Ok(AddDomain {
        domain,
        verification_value: format!(
            "{VALUE_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token)
        ),
        at,
        expires_at: at + VERIFICATION_WINDOW,
    })
}

pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    mut input: UpdateDomain,
) -> Result<Written<OrganizationDomain>, AppError> {
    let domain = input.domain.clone();
    if input.default_roles.is_some() {
        input.template_roles = super::role_templates::slugs(state).await?;
    }
    let unknown = |e| match e {
        AppError::NotFound(Kind::Role, role) => AppError::UnknownDefaultRole(role),
        other => other,
    };
    run(
        state,
        ctx,
        org,
        &domain,
        OrganizationCommand::UpdateDomain(input),
    )
    .await
    .map_err(unknown)
}

pub async fn remove(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    domain: &DomainName,
) -> Result<Written<OrganizationDomain>, AppError> {
    let command = OrganizationCommand::RemoveDomain {
        domain: domain.clone(),
        at: Utc::now(),
    };
    run(state, ctx, org, domain, command).await
}

/// Looks for the domain's record now: found, the domain is verified (or the claim names the
/// organization that verified it first); not found, a 422 saying what was there.
pub async fn verify(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    domain: &DomainName,
) -> Result<Written<OrganizationDomain>, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    let current = known(state, org, domain).await?;
    if let Err(reason) = published(&state.domains.dns, &current).await {
        return Err(AppError::DomainNotVerified {
            domain: domain.as_str().to_owned(),
            reason,
        });
    }
    let command = OrganizationCommand::VerifyDomain {
        domain: domain.clone(),
        at: Utc::now(),
    };
    run(state, ctx, org, domain, command).await
}

/// The organization's domain as its stream has it.
async fn known(
    state: &CommandState,
    org: &OrganizationId,
    domain: &DomainName,
) -> Result<OrganizationDomain, AppError> {
    let organization = load(&state.organizations, &org.to_string()).await?;
    organization
        .current()
        .ok_or_else(|| AppError::NotFound(Kind::Organization, org.to_string()))?;
    organization
        .domains
        .get(domain)
        .cloned()
        .ok_or_else(|| AppError::NotFound(Kind::Domain, format!("`{}` of {org}", domain.as_str())))
}

/// Whether the domain's TXT record holds its value; if not, what the look-up found instead.
async fn published(dns: &Dns, domain: &OrganizationDomain) -> Result<(), String> {
    let name = &domain.verification.name;
    match dns.txt(name).await {
        Ok(records)
            if records
                .iter()
                .any(|r| r.trim() == domain.verification.value) =>
        {
            Ok(())
        }
        Ok(records) if records.is_empty() => Err(format!("no TXT record at {name}")),
        Ok(records) => Err(format!(
            "{} TXT record(s) at {name}, none with the value `{}`",
            records.len(),
            domain.verification.value
        )),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

/// Joins `subject` to `org` through the domain of `email`: allowed when the organization verified
/// that domain with the `auto_join` policy; the membership gets the domain's default roles and
/// `source: domain` (and counts against the seat limit like any other).
pub async fn join_by_email(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    subject: Subject,
    attributes: Attributes,
    email: &Email,
) -> Result<Joined, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    let name = DomainName::of_email(email).map_err(|e| AppError::NoAutoJoin(e.0))?;
    let organization = load(&state.organizations, &org.to_string()).await?;
    organization
        .current()
        .ok_or_else(|| AppError::NotFound(Kind::Organization, org.to_string()))?;
    let domain = organization
        .domains
        .get(&name)
        .filter(|d| d.auto_joins())
        .ok_or_else(|| {
            AppError::NoAutoJoin(format!(
                "{org} has no verified domain `{}` with the auto_join policy",
                name.as_str()
            ))
        })?;
    // A default role that left the catalogue (a template role deleted since) is left out, as
    // an invitation's is.
    let catalogue = super::roles::catalogue(state, &organization).await?;
    let input = NewMembership {
        subject,
        roles: domain
            .default_roles
            .intersection(&catalogue)
            .cloned()
            .collect(),
        attributes,
    };
    // The join commits only while the domain still lets people in: a policy change or removal
    // racing it either waits for it or makes it fail.
    let key = claims::domain_auto_join(org, &name);
    let refused = |e| match e {
        AppError::RoleRemoved(k) if k == key => AppError::NoAutoJoin(format!(
            "{org} stopped letting people join through `{}`",
            name.as_str()
        )),
        other => other,
    };
    let source = MembershipSource::Domain;
    join_requiring(state, ctx, org, input, source, std::slice::from_ref(&key))
        .await
        .map_err(refused)
}

/// When each pending domain is next due for a look-up, and how long after that the one after
/// (in memory: a restart only checks every pending domain once more, soon).
#[derive(Debug, Default)]
pub struct Schedule {
    due: HashMap<(OrganizationId, DomainName), Due>,
}

/// When a pending domain is next looked up, the back-off after that, and when it expires (so a
/// pass skips it without loading its organization until one of the two).
#[derive(Debug, Clone, Copy)]
struct Due {
    at: DateTime<Utc>,
    delay: Duration,
    expires_at: DateTime<Utc>,
}

/// What one pass of the background check did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub verified: usize,
    pub expired: usize,
    pub still_pending: usize,
}

/// One pass over the pending domains (the `domain_pending/` claims): those past their window
/// expire; those due are looked up, and verified when their record is there, else due again
/// after the back-off. A domain verified meanwhile by another organization stays pending (and
/// expires). Each command is decided on the organization as it is, so a pass racing a removal
/// or a verify-now does nothing twice.
pub async fn check_pending(
    state: &CommandState,
    schedule: &mut Schedule,
    now: DateTime<Utc>,
) -> Result<Checked, AppError> {
    let ctx = RequestContext::system("domain-check");
    let keys = store::claims::with_prefix(&state.pool, claims::DOMAINS_PENDING_PREFIX).await?;
    let pending: HashSet<_> = keys
        .iter()
        .filter_map(|(key, _)| claims::pending_domain_of(key))
        .collect();
    schedule.due.retain(|k, _| pending.contains(k));
    let mut checked = Checked::default();
    for (org, name) in pending {
        let key = (org, name.clone());
        let due = schedule.due.get(&key).copied();
        if due.is_some_and(|d| now < d.at && now < d.expires_at) {
            checked.still_pending += 1;
            continue;
        }
        let domain = match known(state, &org, &name).await {
            Ok(d) => d,
            Err(AppError::NotFound(..)) => continue,
            Err(e) => {
                tracing::warn!(organization = %org, domain = name.as_str(), error = %e, "cannot check domain");
                continue;
            }
        };
        if now >= domain.expires_at {
            let command = OrganizationCommand::ExpireDomain {
                domain: name.clone(),
                at: now,
            };
            match run(state, &ctx, &org, &name, command).await {
                Ok(_) => checked.expired += 1,
                Err(e) => {
                    tracing::warn!(organization = %org, domain = name.as_str(), error = %e, "cannot expire domain")
                }
            }
            continue;
        }
        let delay = due.map_or(state.domains.first_retry, |d| d.delay);
        match published(&state.domains.dns, &domain).await {
            Ok(()) => {
                let command = OrganizationCommand::VerifyDomain {
                    domain: name.clone(),
                    at: now,
                };
                match run(state, &ctx, &org, &name, command).await {
                    Ok(_) => checked.verified += 1,
                    Err(AppError::DomainElsewhere(_)) => checked.still_pending += 1,
                    Err(e) => {
                        tracing::warn!(organization = %org, domain = name.as_str(), error = %e, "cannot verify domain")
                    }
                }
                schedule.due.remove(&key);
            }
            Err(reason) => {
                tracing::debug!(organization = %org, domain = name.as_str(), %reason, "domain not verified yet");
                let next = Due {
                    at: now + chrono::TimeDelta::from_std(delay).unwrap_or(VERIFICATION_WINDOW),
                    delay: (delay * 2).min(state.domains.max_retry),
                    expires_at: domain.expires_at,
                };
                schedule.due.insert(key, next);
                checked.still_pending += 1;
            }
        }
    }
    Ok(checked)
}
