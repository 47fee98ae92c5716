//! The calls each scenario makes, over a few shared connections.

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1::{Date, DateRange, Sex};
use medbill_platform::auth::Role;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use super::LoadArgs;
use super::drive::{Outcome, Worker, Workload};
use crate::operator::connect;

/// Which calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Health,
    Lookup,
    Intake,
}

/// A scenario's connections and credentials.
#[derive(Debug, Clone)]
pub struct Scenario {
    kind: Kind,
    channels: Vec<Channel>,
    bearer: String,
}

/// Codes looked up, as a coder's screen asks for them: ICD-10-CM
/// diagnoses and HCPCS Level II codes, on a 2026 date of service.
const LOOKUPS: [(pb::CodeSystem, &str); 6] = [
    (pb::CodeSystem::Icd10cm, "E11.9"),
    (pb::CodeSystem::Icd10cm, "I10"),
    (pb::CodeSystem::Icd10cm, "J44.1"),
    (pb::CodeSystem::Icd10cm, "S52.521A"),
    (pb::CodeSystem::Hcpcs, "J1100"),
    (pb::CodeSystem::Hcpcs, "G0008"),
];
const SEARCHES: [&str; 3] = ["diabetes", "torus radius", "E11"];

impl Scenario {
    /// Connects for `args.scenario`.
    pub async fn connect(args: &LoadArgs) -> anyhow::Result<Scenario> {
        let (kind, role) = match args.scenario.as_str() {
            "health" => (Kind::Health, Role::Coder),
            "lookup" => (Kind::Lookup, Role::Coder),
            "intake" => (Kind::Intake, Role::Service),
            other => anyhow::bail!(
                "unknown scenario {other:?}: lookup, intake, health, cycle, claims or remit"
            ),
        };
        let mut channels = Vec::with_capacity(args.connections.max(1));
        for _ in 0..args.connections.max(1) {
            channels.push(connect(&args.coding, "coding").await?);
        }
        Ok(Scenario {
            kind,
            channels,
            bearer: args.caller.bearer("medbill-load", role)?,
        })
    }
}

impl Workload for Scenario {
    type Worker = Call;

    /// The calls of worker `n`, on one of the connections.
    fn worker(&self, n: usize) -> Call {
        let channel = self.channels[n % self.channels.len()].clone();
        Call {
            kind: self.kind,
            bearer: self.bearer.clone(),
            codes: CodeSetServiceClient::new(channel.clone()),
            encounters: EncounterServiceClient::new(channel.clone()),
            health: HealthClient::new(channel),
        }
    }
}

/// One worker's clients.
pub struct Call {
    kind: Kind,
    bearer: String,
    codes: CodeSetServiceClient<Channel>,
    encounters: EncounterServiceClient<Channel>,
    health: HealthClient<Channel>,
}

fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

impl Call {
    fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Ok(value) = self.bearer.parse() {
            request.metadata_mut().insert("authorization", value);
        }
        request
    }
}

impl Worker for Call {
    async fn once(&mut self, n: u64) -> Option<Outcome> {
        let (rpc, result) = match self.kind {
            Kind::Health => {
                let request = self.request(HealthCheckRequest {
                    service: String::new(),
                });
                ("Check", self.health.check(request).await.map(|_| ()))
            }
            // Three lookups to one search, as a coder works.
            Kind::Lookup if n % 4 == 3 => {
                let query = SEARCHES[(n / 4) as usize % SEARCHES.len()];
                let request = self.request(pb::SearchCodesRequest {
                    query: query.into(),
                    system: pb::CodeSystem::Unspecified as i32,
                    date_of_service: date(2026, 6, 1),
                    limit: 20,
                    ..Default::default()
                });
                (
                    "SearchCodes",
                    self.codes.search_codes(request).await.map(|_| ()),
                )
            }
            Kind::Lookup => {
                let (system, code) = LOOKUPS[n as usize % LOOKUPS.len()];
                let request = self.request(pb::GetCodeRequest {
                    system: system as i32,
                    code: code.into(),
                    date_of_service: date(2026, 6, 1),
                });
                ("GetCode", self.codes.get_code(request).await.map(|_| ()))
            }
            Kind::Intake => {
                let request = self.request(encounter());
                (
                    "SubmitEncounter",
                    self.encounters.submit_encounter(request).await.map(|_| ()),
                )
            }
        };
        Some(Outcome { rpc, result })
    }
}

/// A new office visit from the EHR: a diabetic patient's follow-up with a
/// blood draw, proposed codes included.
fn encounter() -> pb::SubmitEncounterRequest {
    let id = medbill_kernel::ids::new_uuid_v7();
    pb::SubmitEncounterRequest {
        source_system: "medbill-load".into(),
        source_encounter_id: id.clone(),
        patient_mrn: format!("LOAD-{}", &id[id.len() - 8..]),
        patient_age_years: 58,
        patient_sex: Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(DateRange {
            start: date(2026, 6, 1),
            end: date(2026, 6, 1),
        }),
        place_of_service: "11".into(),
        encounter_type: pb::EncounterType::Professional as i32,
        documentation: "Follow-up of type 2 diabetes without complications; A1c drawn.".into(),
        proposed: Some(pb::Coding {
            diagnoses: vec![pb::Diagnosis {
                code: "E119".into(),
                present_on_admission: String::new(),
            }],
            lines: vec![
                pb::ProcedureLine {
                    code: "99213".into(),
                    units: 1,
                    diagnosis_pointers: vec![1],
                    ..Default::default()
                },
                pb::ProcedureLine {
                    code: "36415".into(),
                    units: 1,
                    diagnosis_pointers: vec![1],
                    ..Default::default()
                },
            ],
        }),
        priority: pb::Priority::Routine as i32,
        ..Default::default()
    }
}
