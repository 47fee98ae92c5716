//! Service facilities: where services are rendered when not at the billing
//! provider's address. A claim whose release names a facility's NPI carries
//! it to the 837 (837P loop 2310C, 837I loop 2310E).

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{Npi, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::convert;
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::Address;
use super::store::address_of;
use super::wire;

medbill_kernel::typed_id!(
    /// A registered service facility.
    FacilityId,
    "facility"
);

/// A service facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    /// Its id.
    pub facility_id: FacilityId,
    /// Its NPI (Luhn-checked), unique.
    pub npi: Npi,
    /// Its name (NM103).
    pub name: String,
    /// Its street address (N3/N4).
    pub address: Address,
}

const COLUMNS: &str = "facility_id, npi, name, address_line1, address_line2, city, state, \
    postal_code";

fn facility_of(row: &AnyRow) -> Result<Facility, ServiceError> {
    let id: String = row.try_get("facility_id")?;
    let bad = || ServiceError::Internal(format!("stored facility {id} does not parse"));
    Ok(Facility {
        facility_id: FacilityId::parse(&id).map_err(|_| bad())?,
        npi: Npi::parse(&row.try_get::<String, _>("npi")?).map_err(|_| bad())?,
        name: row.try_get("name")?,
        address: address_of(row)?,
    })
}

/// Saves a new facility; an NPI registered already is `ALREADY_EXISTS`.
pub async fn insert(
    conn: &mut AnyConnection,
    f: &Facility,
    at: Timestamp,
) -> Result<(), ServiceError> {
    let taken: Option<String> =
        sqlx::query_scalar("SELECT facility_id FROM facilities WHERE npi = $1")
            .bind(f.npi.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = taken {
        return Err(ServiceError::AlreadyExists(format!(
            "facility {id} has NPI {}",
            f.npi.as_str()
        )));
    }
    sqlx::query(&format!(
        "INSERT INTO facilities ({COLUMNS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(f.facility_id.as_str())
    .bind(f.npi.as_str())
    .bind(&f.name)
    .bind(&f.address.line1)
    .bind(&f.address.line2)
    .bind(&f.address.city)
    .bind(&f.address.state)
    .bind(&f.address.postal_code)
    .bind(at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The facility with id `facility_id` or NPI `npi` (one of them given).
pub async fn facility(
    conn: &mut AnyConnection,
    facility_id: Option<&FacilityId>,
    npi: Option<&Npi>,
) -> Result<Option<Facility>, ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM facilities WHERE facility_id = $1 OR npi = $2"
    ))
    .bind(
        facility_id
            .map(|f| f.as_str().to_string())
            .unwrap_or_default(),
    )
    .bind(npi.map(|n| n.as_str().to_string()).unwrap_or_default())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(facility_of).transpose()
}

/// Facilities in the order they were registered, after the id of the last
/// one sent.
pub async fn facilities(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Facility>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM facilities WHERE facility_id > $1 ORDER BY facility_id LIMIT $2"
    ))
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(facility_of).collect()
}

fn wire_facility(f: &Facility) -> pb::Facility {
    pb::Facility {
        facility_id: f.facility_id.as_str().to_string(),
        npi: f.npi.as_str().to_string(),
        name: f.name.clone(),
        address: Some(wire::wire_address(&f.address)),
    }
}

/// `CreateFacility`.
pub async fn create_facility(
    db: &Database,
    req: pb::CreateFacilityRequest,
    at: Timestamp,
) -> Result<pb::Facility, ServiceError> {
    let f = Facility {
        facility_id: FacilityId::new(),
        npi: wire::npi("npi", &req.npi)?,
        name: convert::required_text("name", &req.name)?,
        address: wire::address("address", req.address.as_ref())?,
    };
    let mut tx = db.begin().await?;
    insert(&mut tx, &f, at).await?;
    tx.commit().await?;
    Ok(wire_facility(&f))
}

/// `GetFacility`.
pub async fn get_facility(
    db: &Database,
    req: pb::GetFacilityRequest,
) -> Result<pb::Facility, ServiceError> {
    let facility_id = convert::optional_id::<FacilityId>("facility_id", &req.facility_id)?;
    let npi = if req.npi.trim().is_empty() {
        None
    } else {
        Some(wire::npi("npi", &req.npi)?)
    };
    if facility_id.is_none() && npi.is_none() {
        return Err(ServiceError::invalid("facility_id", "or npi is required"));
    }
    let mut conn = db.pool().acquire().await?;
    let found = facility(&mut conn, facility_id.as_ref(), npi.as_ref())
        .await?
        .ok_or_else(|| {
            let key = facility_id
                .as_ref()
                .map(|f| f.as_str().to_string())
                .or(npi.as_ref().map(|n| n.as_str().to_string()))
                .unwrap_or_default();
            ServiceError::not_found("facility", &key)
        })?;
    Ok(wire_facility(&found))
}

/// `ListFacilities`.
pub async fn list_facilities(
    db: &Database,
    req: pb::ListFacilitiesRequest,
) -> Result<pb::ListFacilitiesResponse, ServiceError> {
    let page = Page::from_request("page", req.page.as_ref())?;
    let mut conn = db.pool().acquire().await?;
    let rows = facilities(&mut conn, page.after.as_deref(), page.fetch_limit()).await?;
    let (rows, next) = page.finish(rows, |f| f.facility_id.as_str().to_string());
    Ok(pb::ListFacilitiesResponse {
        facilities: rows.iter().map(wire_facility).collect(),
        page: Some(next),
    })
}
