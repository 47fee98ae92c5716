//! Authentication and authorization.
//!
//! Every RPC needs a JWT bearer token (`authorization: Bearer …`) signed with
//! HS256 and the configured secret, or RS256 and the configured public key.
//! The token's `roles` must include one that the RPC allows in the service's
//! [`RolePolicy`]; otherwise the call fails with `UNAUTHENTICATED` (no or bad
//! token) or `PERMISSION_DENIED` (valid token, wrong role) before the handler
//! runs. Health checks and reflection are open, so probes and `grpcurl list`
//! work without a token.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use medbill_kernel::Redacted;
use serde::{Deserialize, Serialize};

/// The roles of docs/ARCHITECTURE.md, "Roles".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Codes encounters.
    Coder,
    /// Audits coders' work.
    CodingAuditor,
    /// Builds and submits claims, works denials.
    Biller,
    /// Posts remittances and payments.
    PaymentPoster,
    /// Works patient balances and collections.
    Collector,
    /// Supervises a team; reads reports.
    Manager,
    /// Compliance: reads, never changes.
    Auditor,
    /// System administration.
    Admin,
    /// Another medbill service.
    Service,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 9] = [
        Role::Coder,
        Role::CodingAuditor,
        Role::Biller,
        Role::PaymentPoster,
        Role::Collector,
        Role::Manager,
        Role::Auditor,
        Role::Admin,
        Role::Service,
    ];

    /// The role's name in tokens.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Coder => "coder",
            Role::CodingAuditor => "coding_auditor",
            Role::Biller => "biller",
            Role::PaymentPoster => "payment_poster",
            Role::Collector => "collector",
            Role::Manager => "manager",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AuthError;

    fn from_str(s: &str) -> Result<Role, AuthError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| AuthError::UnknownRole(s.to_string()))
    }
}

/// The authenticated caller of an RPC, put in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who (the token's `sub`): a user name or a service name.
    pub subject: String,
    /// What they may do.
    pub roles: Vec<Role>,
}

impl Principal {
    /// Whether the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The principal the platform layer attached to a request; every RPC behind
/// the layer has one (health and reflection aside).
pub fn principal<T>(request: &tonic::Request<T>) -> Result<&Principal, tonic::Status> {
    request
        .extensions()
        .get::<Principal>()
        .ok_or_else(|| tonic::Status::unauthenticated("no authenticated principal"))
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `authorization` metadata.
    #[error("missing bearer token (send `authorization: Bearer <jwt>`)")]
    Missing,
    /// Not a valid, unexpired token for this deployment.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// A role name medbill does not know.
    #[error("unknown role `{0}`")]
    UnknownRole(String),
    /// The key material could not be used.
    #[error("bad signing key: {0}")]
    Key(String),
}

/// Seconds since the Unix epoch (0 before it: a clock that far off
/// verifies every token anew).
fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The claims medbill reads from a token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    roles: Vec<String>,
    exp: u64,
    iat: u64,
}

/// Tokens verified lately, kept so that a caller sending the same token on
/// every call (services and load tests do) has its signature checked once
/// until the token expires, not on each call. Keyed by the whole token,
/// signature included: a token that differs in any byte is verified anew.
const VERIFIED_CAPACITY: usize = 4096;

/// What a verified token said, until when.
type VerifiedTokens = HashMap<String, (Principal, u64)>;

/// Verifies tokens (and, with a secret, issues development tokens).
#[derive(Clone)]
pub struct Authenticator {
    decoding: DecodingKey,
    validation: Validation,
    encoding: Option<Redacted<EncodingKey>>,
    /// Tokens verified lately ([`VERIFIED_CAPACITY`] at most; emptied
    /// when full), with their `exp`.
    verified: Arc<Mutex<VerifiedTokens>>,
}

impl Authenticator {
    /// HS256 with a shared secret (at least 32 bytes).
    pub fn hs256(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < 32 {
            return Err(AuthError::Key(
                "an HS256 secret needs at least 32 bytes".into(),
            ));
        }
        Ok(Authenticator {
            decoding: DecodingKey::from_secret(secret),
            validation: Validation::new(Algorithm::HS256),
            encoding: Some(Redacted::new(EncodingKey::from_secret(secret))),
            verified: Arc::default(),
        })
    }

    /// RS256 with an RSA public key in PEM; such an authenticator only verifies.
    pub fn rs256(public_key_pem: &[u8]) -> Result<Self, AuthError> {
        let decoding =
            DecodingKey::from_rsa_pem(public_key_pem).map_err(|e| AuthError::Key(e.to_string()))?;
        Ok(Authenticator {
            decoding,
            validation: Validation::new(Algorithm::RS256),
            encoding: None,
            verified: Arc::default(),
        })
    }

    /// Checks the `authorization` header value and returns the principal.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Principal, AuthError> {
        let header = header.ok_or(AuthError::Missing)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(AuthError::Missing)?;
        let token = token.trim();
        let now = unix_seconds();
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((principal, exp)) = verified.get(token) {
            if now < *exp {
                return Ok(principal.clone());
            }
            verified.remove(token);
        }
        drop(verified);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?;
        // Unknown role names are ignored rather than fatal, so a newer
        // identity provider can add roles without locking out older services.
        let roles = data
            .claims
            .roles
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect();
        let principal = Principal {
            subject: data.claims.sub,
            roles,
        };
        // Kept only until `exp` (without the verifier's leeway for clock
        // skew, so a cached token lapses no later than a verified one).
        if now < data.claims.exp {
            let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
            verified.insert(token.to_string(), (principal.clone(), data.claims.exp));
        }
        Ok(principal)
    }

    /// Issues a token (HS256 only), valid for `ttl`.
    pub fn issue(&self, subject: &str, roles: &[Role], ttl: Duration) -> Result<String, AuthError> {
        let key = self
            .encoding
            .as_ref()
            .ok_or_else(|| AuthError::Key("RS256 authenticators cannot issue tokens".into()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| AuthError::Key(e.to_string()))?
            .as_secs();
        let claims = Claims {
            sub: subject.to_string(),
            roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
            iat: now,
            exp: now + ttl.as_secs(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key.expose())
            .map_err(|e| AuthError::Key(e.to_string()))
    }
}

/// Which roles may call which RPC of a service: one table per service, keyed
/// by the full gRPC path (`/package.Service/Method`). A path missing from the
/// table is denied to everyone, so a new RPC is closed until it is listed.
#[derive(Debug, Clone, Default)]
pub struct RolePolicy {
    rules: HashMap<String, Vec<Role>>,
}

/// Paths anyone may call: health checks and reflection.
const OPEN_PREFIXES: [&str; 3] = [
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed, for this principal (none on open paths).
    Allow(Option<Principal>),
    /// No or bad credentials.
    Unauthenticated(AuthError),
    /// The principal's roles do not allow the RPC.
    Denied(String),
}

impl RolePolicy {
    /// An empty policy (denies everything but open paths).
    pub fn new() -> Self {
        RolePolicy::default()
    }

    /// Allows `roles` to call every method of `service` (full name, e.g.
    /// `medbill.common.v1.EventFeed`) listed in `methods`.
    pub fn allow(mut self, service: &str, methods: &[&str], roles: &[Role]) -> Self {
        for method in methods {
            let entry = self
                .rules
                .entry(format!("/{service}/{method}"))
                .or_default();
            for role in roles {
                if !entry.contains(role) {
                    entry.push(*role);
                }
            }
        }
        self
    }

    /// The roles allowed on `path`, if it is listed.
    pub fn roles_for(&self, path: &str) -> Option<&[Role]> {
        self.rules.get(path).map(Vec::as_slice)
    }

    /// Every listed path.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// Decides a call to `path` with the given `authorization` header.
    pub fn decide(&self, auth: &Authenticator, path: &str, header: Option<&str>) -> Decision {
        if OPEN_PREFIXES.iter().any(|p| path.starts_with(p)) {
            return Decision::Allow(None);
        }
        let principal = match auth.authenticate(header) {
            Ok(p) => p,
            Err(e) => return Decision::Unauthenticated(e),
        };
        match self.roles_for(path) {
            Some(allowed) if principal.roles.iter().any(|r| allowed.contains(r)) => {
                Decision::Allow(Some(principal))
            }
            Some(allowed) => Decision::Denied(format!(
                "role(s) [{}] may not call {path}; allowed: [{}]",
                join(&principal.roles),
                join(allowed)
            )),
            None => Decision::Denied(format!("{path} is not open to any role")),
        }
    }
}

fn join(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn policy() -> RolePolicy {
        RolePolicy::new().allow("pkg.Svc", &["Read"], &[Role::Coder, Role::Auditor])
    }

    #[test]
    fn a_token_round_trips_its_subject_and_roles() {
        let auth = Authenticator::hs256(SECRET).unwrap();
        let token = auth
            .issue("ann", &[Role::Coder], Duration::from_secs(60))
            .unwrap();
        let principal = auth.authenticate(Some(&format!("Bearer {token}"))).unwrap();
        assert_eq!(principal.subject, "ann");
        assert_eq!(principal.roles, vec![Role::Coder]);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let ours = Authenticator::hs256(SECRET).unwrap();
        let theirs = Authenticator::hs256(b"another-secret-another-secret-xx").unwrap();
        let token = theirs
            .issue("eve", &[Role::Admin], Duration::from_secs(60))
            .unwrap();
        let err = ours
            .authenticate(Some(&format!("Bearer {token}")))
            .unwrap_err();
        assert!(matches!(err, AuthError::Invalid(_)), "{err:?}");
    }

    #[test]
    fn a_verified_token_is_remembered_but_a_changed_one_is_verified_anew() {
        let auth = Authenticator::hs256(SECRET).unwrap();
        let token = auth
            .issue("ann", &[Role::Coder], Duration::from_secs(60))
            .unwrap();
        let header = format!("Bearer {token}");
        let first = auth.authenticate(Some(&header)).unwrap();
        // The clone shares what was verified: the second call is answered
        // from it and says the same.
        assert_eq!(auth.clone().authenticate(Some(&header)).unwrap(), first);
        assert_eq!(auth.verified.lock().unwrap().len(), 1);
        // The same claims under a signature one character off.
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let first_char = signature.chars().next().unwrap();
        let other = if first_char == 'A' { 'B' } else { 'A' };
        let forged = format!("Bearer {signed}.{other}{}", &signature[1..]);
        let err = auth.authenticate(Some(&forged)).unwrap_err();
        assert!(matches!(err, AuthError::Invalid(_)), "{err:?}");
        // A token another deployment signed stays refused however often.
        let theirs = Authenticator::hs256(b"another-secret-another-secret-xx").unwrap();
        let eve = theirs
            .issue("eve", &[Role::Admin], Duration::from_secs(60))
            .unwrap();
        for _ in 0..2 {
            assert!(auth.authenticate(Some(&format!("Bearer {eve}"))).is_err());
        }
        assert_eq!(auth.verified.lock().unwrap().len(), 1);
    }

    #[test]
    fn the_remembered_tokens_are_bounded() {
        let auth = Authenticator::hs256(SECRET).unwrap();
        for n in 0..VERIFIED_CAPACITY + 3 {
            let token = auth
                .issue(&format!("user{n}"), &[Role::Coder], Duration::from_secs(60))
                .unwrap();
            let principal = auth.authenticate(Some(&format!("Bearer {token}"))).unwrap();
            assert_eq!(principal.subject, format!("user{n}"));
        }
        assert!(auth.verified.lock().unwrap().len() <= VERIFIED_CAPACITY);
    }
    #[test]
    fn a_short_secret_is_refused() {
        assert!(Authenticator::hs256(b"short").is_err());
    }

    #[test]
    fn missing_token_is_unauthenticated_and_wrong_role_is_denied() {
        let auth = Authenticator::hs256(SECRET).unwrap();
        let p = policy();
        assert!(matches!(
            p.decide(&auth, "/pkg.Svc/Read", None),
            Decision::Unauthenticated(AuthError::Missing)
        ));
        let biller = auth
            .issue("bob", &[Role::Biller], Duration::from_secs(60))
            .unwrap();
        let header = format!("Bearer {biller}");
        assert!(matches!(
            p.decide(&auth, "/pkg.Svc/Read", Some(&header)),
            Decision::Denied(_)
        ));
        let coder = auth
            .issue("ann", &[Role::Coder], Duration::from_secs(60))
            .unwrap();
        let header = format!("Bearer {coder}");
        assert!(matches!(
            p.decide(&auth, "/pkg.Svc/Read", Some(&header)),
            Decision::Allow(Some(_))
        ));
    }

    #[test]
    fn unlisted_methods_are_denied_and_health_is_open() {
        let auth = Authenticator::hs256(SECRET).unwrap();
        let admin = auth
            .issue("root", &Role::ALL, Duration::from_secs(60))
            .unwrap();
        let header = format!("Bearer {admin}");
        assert!(matches!(
            policy().decide(&auth, "/pkg.Svc/Write", Some(&header)),
            Decision::Denied(_)
        ));
        assert_eq!(
            policy().decide(&auth, "/grpc.health.v1.Health/Check", None),
            Decision::Allow(None)
        );
    }

    #[test]
    fn role_names_parse_and_print_alike() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
    }
}
