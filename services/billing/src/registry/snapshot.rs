//! The registry facts every claim is scrubbed against — its payer, the
//! payer's rules, the submitter profile, the providers and the service
//! facility — kept in memory
//! instead of read for every claim.
//!
//! A copy is good for one registry version of one database: every change to
//! those tables bumps `registry_version.version` by trigger, in the changing
//! transaction (migration 1000). A claim reads the version in a statement it
//! makes anyway (see [`super::patients::patient_and_registry`]) and uses the
//! copy only when the versions are equal; otherwise the copy is dropped and
//! filled again from the database as facts are asked for. The version is
//! read before the facts, so a copy never holds facts older than its
//! version says. Copies are kept per database (`registry_version.epoch`),
//! so two services of one process, or two processes, on one database agree
//! on it, and services on different databases never mix.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use medbill_kernel::{Npi, PayerId};
use medbill_platform::ServiceError;
use sqlx::AnyConnection;

use super::domain::{Payer, Provider, ProviderId};
use super::facilities::{self, Facility};
use super::profile::{self, SubmitterProfile};
use super::store;
use crate::scrubber::PayerRules;

/// Where one database's registry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Which database (random, set when its schema was made).
    pub epoch: String,
    /// How many changes its registry has had.
    pub version: i64,
}

/// The facts of one registry version, filled as they are asked for.
#[derive(Debug, Default)]
struct Copy {
    version: i64,
    payers: HashMap<String, Option<Payer>>,
    rules: HashMap<String, PayerRules>,
    profile: Option<Option<SubmitterProfile>>,
    providers_by_id: HashMap<String, Option<Provider>>,
    providers_by_npi: HashMap<String, Option<Provider>>,
    facilities_by_npi: HashMap<String, Option<Facility>>,
}

static COPIES: LazyLock<Mutex<HashMap<String, Copy>>> = LazyLock::new(Default::default);

/// What the copy for `stamp` holds, through `read`; nothing when the copy
/// is of another version.
fn lookup<T>(stamp: &Stamp, read: impl FnOnce(&Copy) -> Option<T>) -> Option<T> {
    let copies = COPIES.lock().unwrap_or_else(PoisonError::into_inner);
    copies
        .get(&stamp.epoch)
        .filter(|c| c.version == stamp.version)
        .and_then(read)
}

/// Keeps a fact read at `stamp`: a newer version starts a new copy; a fact
/// of an older version than the copy's is not kept.
fn keep(stamp: &Stamp, write: impl FnOnce(&mut Copy)) {
    let mut copies = COPIES.lock().unwrap_or_else(PoisonError::into_inner);
    let copy = copies.entry(stamp.epoch.clone()).or_default();
    if copy.version < stamp.version {
        *copy = Copy {
            version: stamp.version,
            ..Copy::default()
        };
    }
    if copy.version == stamp.version {
        write(copy);
    }
}

/// Where the registry of the database behind `conn` stands now.
pub async fn stamp(conn: &mut AnyConnection) -> Result<Stamp, ServiceError> {
    let (epoch, version): (String, i64) =
        sqlx::query_as("SELECT epoch, version FROM registry_version")
            .fetch_one(conn)
            .await?;
    Ok(Stamp { epoch, version })
}

/// The payer `payer_id` (`NOT_FOUND` when there is none).
pub async fn payer(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    payer_id: &PayerId,
) -> Result<Payer, ServiceError> {
    find_payer(conn, stamp, payer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("payer", payer_id.as_str()))
}

/// The payer `payer_id`, if registered.
pub async fn find_payer(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    payer_id: &PayerId,
) -> Result<Option<Payer>, ServiceError> {
    if let Some(p) = lookup(stamp, |c| c.payers.get(payer_id.as_str()).cloned()) {
        return Ok(p);
    }
    let p = store::payer(conn, payer_id).await?;
    keep(stamp, |c| {
        c.payers.insert(payer_id.as_str().to_string(), p.clone());
    });
    Ok(p)
}

/// The scrubber rules of `payer_id`.
pub async fn payer_rules(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    payer_id: &PayerId,
) -> Result<PayerRules, ServiceError> {
    if let Some(r) = lookup(stamp, |c| c.rules.get(payer_id.as_str()).cloned()) {
        return Ok(r);
    }
    let r = crate::scrubber::store::payer_rules(conn, payer_id).await?;
    keep(stamp, |c| {
        c.rules.insert(payer_id.as_str().to_string(), r.clone());
    });
    Ok(r)
}

/// The submitter profile, if one is set.
pub async fn submitter_profile(
    conn: &mut AnyConnection,
    stamp: &Stamp,
) -> Result<Option<SubmitterProfile>, ServiceError> {
    if let Some(p) = lookup(stamp, |c| c.profile.clone()) {
        return Ok(p);
    }
    let p = profile::load(conn).await?;
    keep(stamp, |c| c.profile = Some(p.clone()));
    Ok(p)
}

/// The provider `provider_id`, if registered.
pub async fn provider_by_id(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    provider_id: &ProviderId,
) -> Result<Option<Provider>, ServiceError> {
    if let Some(p) = lookup(stamp, |c| {
        c.providers_by_id.get(provider_id.as_str()).cloned()
    }) {
        return Ok(p);
    }
    let p = store::provider(conn, Some(provider_id), None).await?;
    keep(stamp, |c| {
        c.providers_by_id
            .insert(provider_id.as_str().to_string(), p.clone());
    });
    Ok(p)
}

/// The provider with NPI `npi`, if registered.
pub async fn provider_by_npi(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    npi: &Npi,
) -> Result<Option<Provider>, ServiceError> {
    if let Some(p) = lookup(stamp, |c| c.providers_by_npi.get(npi.as_str()).cloned()) {
        return Ok(p);
    }
    let p = store::provider(conn, None, Some(npi)).await?;
    keep(stamp, |c| {
        c.providers_by_npi
            .insert(npi.as_str().to_string(), p.clone());
    });
    Ok(p)
}

/// The service facility with NPI `npi`, if registered.
pub async fn facility_by_npi(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    npi: &Npi,
) -> Result<Option<Facility>, ServiceError> {
    if let Some(f) = lookup(stamp, |c| c.facilities_by_npi.get(npi.as_str()).cloned()) {
        return Ok(f);
    }
    let f = facilities::facility(conn, None, Some(npi)).await?;
    keep(stamp, |c| {
        c.facilities_by_npi
            .insert(npi.as_str().to_string(), f.clone());
    });
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(epoch: &str, version: i64) -> Stamp {
        Stamp {
            epoch: epoch.into(),
            version,
        }
    }

    #[test]
    fn a_copy_answers_only_for_its_own_version_and_database() {
        let at = stamp("test-epoch-a", 3);
        keep(&at, |c| c.profile = Some(None));
        assert_eq!(lookup(&at, |c| c.profile.clone()), Some(None));
        assert_eq!(
            lookup(&stamp("test-epoch-a", 4), |c| c.profile.clone()),
            None
        );
        assert_eq!(
            lookup(&stamp("test-epoch-b", 3), |c| c.profile.clone()),
            None
        );
    }

    #[test]
    fn a_newer_version_starts_over_and_an_older_one_is_not_kept() {
        let old = stamp("test-epoch-c", 1);
        let new = stamp("test-epoch-c", 2);
        keep(&old, |c| c.profile = Some(None));
        keep(&new, |c| {
            c.providers_by_npi.insert("1234567893".into(), None);
        });
        // The copy is of version 2 now: version 1's profile is gone.
        assert_eq!(lookup(&new, |c| c.profile.clone()), None);
        assert_eq!(
            lookup(&new, |c| c.providers_by_npi.get("1234567893").cloned()),
            Some(None)
        );
        // A slow reader still at version 1 does not put its fact in.
        keep(&old, |c| c.profile = Some(None));
        assert_eq!(lookup(&new, |c| c.profile.clone()), None);
    }
}
