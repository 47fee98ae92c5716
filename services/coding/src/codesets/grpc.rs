//! The `CodeSetService` handler: translates requests into domain values,
//! asks the in-memory code-set index (`GetCode`, `SearchCodes`) or the
//! store (`ListCodeSetReleases`), translates the answers back.

use medbill_contracts::medbill::coding::v1 as wire;
use medbill_contracts::medbill::coding::v1::code_set_service_server::CodeSetService;
use medbill_contracts::medbill::common::v1::DateRange;
use medbill_kernel::CalendarDate;
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{date, optional_date, wire_date, wire_timestamp};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::{CodeAnswer, CodeStatus, CodeSystem, NoteKind, normalize_code};
use super::index::CodeSetIndex;
use super::index_cache::IndexCache;
use super::search::Query;
use super::store::releases;

/// Serves code lookup and search over `db`.
pub struct CodeSetHandler {
    db: Database,
    index: IndexCache,
    clock: Clock,
}

impl CodeSetHandler {
    /// A handler over the coding database with its own code-set index,
    /// built on the first call; an absent date of service means today on
    /// `clock`.
    pub fn new(db: Database, clock: Clock) -> CodeSetHandler {
        let index = IndexCache::new(db.clone());
        CodeSetHandler::with_index(db, index, clock)
    }

    /// A handler sharing `index` with other handlers of the service.
    pub fn with_index(db: Database, index: IndexCache, clock: Clock) -> CodeSetHandler {
        CodeSetHandler { db, index, clock }
    }
}

fn system_of(field: &str, value: i32) -> Result<Option<CodeSystem>, ServiceError> {
    match wire::CodeSystem::try_from(value) {
        Ok(wire::CodeSystem::Unspecified) => Ok(None),
        Ok(wire::CodeSystem::Icd10cm) => Ok(Some(CodeSystem::Icd10Cm)),
        Ok(wire::CodeSystem::Icd10pcs) => Ok(Some(CodeSystem::Icd10Pcs)),
        Ok(wire::CodeSystem::Cpt) => Ok(Some(CodeSystem::Cpt)),
        Ok(wire::CodeSystem::Hcpcs) => Ok(Some(CodeSystem::Hcpcs)),
        Ok(wire::CodeSystem::Modifier) => Ok(Some(CodeSystem::Modifier)),
        Err(_) => Err(ServiceError::invalid(field, "is not a known code system")),
    }
}

fn wire_system(system: CodeSystem) -> wire::CodeSystem {
    match system {
        CodeSystem::Icd10Cm => wire::CodeSystem::Icd10cm,
        CodeSystem::Icd10Pcs => wire::CodeSystem::Icd10pcs,
        CodeSystem::Cpt => wire::CodeSystem::Cpt,
        CodeSystem::Hcpcs => wire::CodeSystem::Hcpcs,
        CodeSystem::Modifier => wire::CodeSystem::Modifier,
    }
}

fn wire_status(status: CodeStatus) -> wire::CodeStatus {
    match status {
        CodeStatus::Billable => wire::CodeStatus::Billable,
        CodeStatus::Header => wire::CodeStatus::Header,
        CodeStatus::NotEffective => wire::CodeStatus::NotEffective,
    }
}

fn wire_note_kind(kind: NoteKind) -> wire::NoteKind {
    match kind {
        NoteKind::InclusionTerm => wire::NoteKind::InclusionTerm,
        NoteKind::Includes => wire::NoteKind::Includes,
        NoteKind::Excludes1 => wire::NoteKind::Excludes1,
        NoteKind::Excludes2 => wire::NoteKind::Excludes2,
        NoteKind::CodeFirst => wire::NoteKind::CodeFirst,
        NoteKind::UseAdditionalCode => wire::NoteKind::UseAdditionalCode,
        NoteKind::CodeAlso => wire::NoteKind::CodeAlso,
        NoteKind::Note => wire::NoteKind::Note,
        NoteKind::SeventhCharacter => wire::NoteKind::SeventhCharacter,
    }
}

fn range(from: Option<CalendarDate>, to: Option<CalendarDate>) -> Option<DateRange> {
    from.map(|f| DateRange {
        start: Some(wire_date(f)),
        end: to.map(wire_date),
    })
}

fn wire_code(answer: CodeAnswer) -> wire::Code {
    wire::Code {
        system: wire_system(answer.system) as i32,
        code: answer.code,
        status: wire_status(answer.status) as i32,
        description: answer.description,
        effective: range(answer.effective_from, answer.effective_to),
        notes: answer
            .notes
            .into_iter()
            .map(|n| wire::CodeNote {
                kind: wire_note_kind(n.kind) as i32,
                text: n.text,
                from_code: n.from_code,
            })
            .collect(),
        mce_edits: answer.mce_edits,
        parent: answer.parent,
    }
}

/// The answers of `SearchCodes`. Period dates are read leniently here (a
/// date that does not parse is left out), as they always were.
fn search(index: &CodeSetIndex, query: &Query) -> Vec<wire::Code> {
    index
        .search(query)
        .into_iter()
        .map(|hit| {
            let e = hit.entry;
            let (from, to) = match hit.period {
                Some(p) => (
                    p.from.parse().ok(),
                    p.to.as_deref().and_then(|t| t.parse().ok()),
                ),
                None => (e.listed_from.parse().ok(), None),
            };
            wire_code(CodeAnswer {
                system: e.system,
                code: e.code.to_string(),
                status: hit.status,
                description: e.description.to_string(),
                effective_from: from,
                effective_to: to,
                notes: Vec::new(),
                mce_edits: hit
                    .period
                    .map(|p| p.edits.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                parent: e.parent.to_string(),
            })
        })
        .collect()
}

#[tonic::async_trait]
impl CodeSetService for CodeSetHandler {
    async fn get_code(
        &self,
        request: Request<wire::GetCodeRequest>,
    ) -> Result<Response<wire::GetCodeResponse>, Status> {
        let req = request.into_inner();
        let system = system_of("system", req.system)?
            .ok_or_else(|| ServiceError::invalid("system", "is required"))?;
        let code =
            normalize_code(&req.code).map_err(|e| ServiceError::invalid("code", e.to_string()))?;
        let dos = date("date_of_service", req.date_of_service.as_ref())?;
        let index = self.index.get().await?;
        let mut answer = index
            .get_code(system, &code, dos)
            .map_err(ServiceError::from)?;
        // A code unknown here may be in a release another process just loaded.
        if answer.is_none()
            && let Some(newer) = self.index.recheck(&index).await?
        {
            answer = newer
                .get_code(system, &code, dos)
                .map_err(ServiceError::from)?;
        }
        let answer = answer.ok_or_else(|| {
            ServiceError::not_found("code", format!("{} {code}", system.as_str()))
        })?;
        Ok(Response::new(wire::GetCodeResponse {
            code: Some(wire_code(answer)),
        }))
    }

    async fn search_codes(
        &self,
        request: Request<wire::SearchCodesRequest>,
    ) -> Result<Response<wire::SearchCodesResponse>, Status> {
        let req = request.into_inner();
        let text = req.query.trim().to_string();
        if text.is_empty() {
            return Err(ServiceError::invalid("query", "is required").into());
        }
        let limit = match req.limit {
            0 => 20,
            n @ 1..=100 => n as usize,
            _ => return Err(ServiceError::invalid("limit", "must be 1-100 (0 means 20)").into()),
        };
        let query = Query {
            text,
            system: system_of("system", req.system)?,
            date: optional_date("date_of_service", req.date_of_service.as_ref())?
                .unwrap_or_else(|| self.clock.today()),
            limit,
            include_headers: req.include_headers,
        };
        let index = self.index.get().await?;
        let mut codes = search(&index, &query);
        if codes.is_empty()
            && let Some(newer) = self.index.recheck(&index).await?
        {
            codes = search(&newer, &query);
        }
        Ok(Response::new(wire::SearchCodesResponse { codes }))
    }

    async fn list_code_set_releases(
        &self,
        request: Request<wire::ListCodeSetReleasesRequest>,
    ) -> Result<Response<wire::ListCodeSetReleasesResponse>, Status> {
        let system = system_of("system", request.into_inner().system)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let releases = releases::listing(&mut conn, system)
            .await
            .map_err(ServiceError::from)?
            .into_iter()
            .map(|r| wire::CodeSetRelease {
                release_id: r.release_id,
                system: wire_system(r.system) as i32,
                name: r.name,
                effective_from: Some(wire_date(r.effective_from)),
                source: r.source,
                sha256: r.sha256,
                code_count: r.code_count,
                loaded_at: Some(wire_timestamp(r.loaded_at)),
            })
            .collect();
        Ok(Response::new(wire::ListCodeSetReleasesResponse {
            releases,
        }))
    }
}
