//! The demo's world, as data: the procedures the clinic bills (charge
//! master price and revenue code, what each payer's contract pays), the
//! kinds of visit it sees (diagnoses and procedures that belong together,
//! who has them, the coding mistakes an EHR proposes for them), and the
//! payer simulator's configuration that matches what billing registers —
//! the same electronic payer ids, the contracts, a plan per member.

use medbill_kernel::Redacted;
use medbill_payer_sim::SimConfig;
use serde_json::json;

use super::rng::Rng;

/// A procedure the clinic bills.
pub struct Procedure {
    /// CPT/HCPCS code.
    pub code: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Charge master price per unit, cents.
    pub price: i64,
    /// Revenue code (837I).
    pub revenue_code: &'static str,
    /// ACME's contracted rate per unit, cents.
    pub acme_fee: i64,
}

/// Every procedure the demo bills.
pub const PROCEDURES: &[Procedure] = &[
    Procedure {
        code: "99213",
        description: "Office visit, established, low complexity",
        price: 15_000,
        revenue_code: "0510",
        acme_fee: 11_000,
    },
    Procedure {
        code: "99214",
        description: "Office visit, established, moderate complexity",
        price: 22_000,
        revenue_code: "0510",
        acme_fee: 15_000,
    },
    Procedure {
        code: "99284",
        description: "Emergency department visit, high severity",
        price: 65_000,
        revenue_code: "0450",
        acme_fee: 40_000,
    },
    Procedure {
        code: "80053",
        description: "Comprehensive metabolic panel",
        price: 4_500,
        revenue_code: "0301",
        acme_fee: 1_500,
    },
    Procedure {
        code: "83036",
        description: "Hemoglobin A1c",
        price: 3_800,
        revenue_code: "0301",
        acme_fee: 1_300,
    },
    Procedure {
        code: "36415",
        description: "Venipuncture",
        price: 2_500,
        revenue_code: "0300",
        acme_fee: 1_000,
    },
    Procedure {
        code: "87880",
        description: "Rapid strep test",
        price: 3_500,
        revenue_code: "0306",
        acme_fee: 1_600,
    },
    Procedure {
        code: "72100",
        description: "X-ray lumbosacral spine, 2-3 views",
        price: 12_000,
        revenue_code: "0320",
        acme_fee: 4_500,
    },
    Procedure {
        code: "71046",
        description: "X-ray chest, 2 views",
        price: 20_000,
        revenue_code: "0324",
        acme_fee: 5_000,
    },
    Procedure {
        code: "93000",
        description: "Electrocardiogram with interpretation",
        price: 9_000,
        revenue_code: "0730",
        acme_fee: 2_500,
    },
    Procedure {
        code: "73090",
        description: "X-ray forearm, 2 views",
        price: 11_000,
        revenue_code: "0320",
        acme_fee: 4_200,
    },
    Procedure {
        code: "29125",
        description: "Short arm splint, static",
        price: 14_000,
        revenue_code: "0290",
        acme_fee: 6_000,
    },
    Procedure {
        code: "94010",
        description: "Spirometry",
        price: 8_000,
        revenue_code: "0460",
        acme_fee: 3_500,
    },
    Procedure {
        code: "70553",
        description: "MRI brain with and without contrast",
        price: 250_000,
        revenue_code: "0611",
        acme_fee: 90_000,
    },
];

/// The payer every patient has first (commercial, EFT).
pub const ACME: &str = "ACME01";
/// A second commercial payer, primary for some and a supplement for others.
pub const SCI: &str = "SCI002";

/// A kind of visit.
pub struct Visit {
    /// What happened (the documentation the coder reads).
    pub note: &'static str,
    /// Diagnoses as coded, principal first.
    pub diagnoses: &'static [&'static str],
    /// Procedures: code, units, diagnosis pointers (1-based).
    pub lines: &'static [(&'static str, u32, &'static [u32])],
    /// Youngest and oldest patient who has it.
    pub ages: (u32, u32),
    /// `Some(female)` when only one sex has it.
    pub sex: Option<bool>,
    /// Seen in the emergency department (billed 837I) rather than the office.
    pub institutional: bool,
    /// What the EHR sometimes proposes instead of `diagnoses` (a mistake
    /// the coding edits catch and the coder fixes).
    pub mistaken: Option<&'static [&'static str]>,
}

/// The visits the demo draws from.
pub const VISITS: &[Visit] = &[
    Visit {
        note: "Follow-up of essential hypertension; BP 138/86 on lisinopril.",
        diagnoses: &["I10"],
        lines: &[("99213", 1, &[1])],
        ages: (35, 89),
        sex: None,
        institutional: false,
        mistaken: None,
    },
    Visit {
        note: "Type 2 diabetes follow-up, no complications; A1c and metabolic panel drawn.",
        diagnoses: &["E119", "I10"],
        lines: &[
            ("99214", 1, &[1, 2]),
            ("83036", 1, &[1]),
            ("80053", 1, &[1]),
            ("36415", 1, &[1]),
        ],
        ages: (40, 85),
        sex: None,
        institutional: false,
        mistaken: Some(&["E11", "I10"]),
    },
    Visit {
        note: "Type 2 diabetes on insulin, routine review.",
        diagnoses: &["E119", "Z794"],
        lines: &[("99214", 1, &[1, 2]), ("83036", 1, &[1])],
        ages: (30, 80),
        sex: None,
        institutional: false,
        mistaken: Some(&["E119", "E109"]),
    },
    Visit {
        note: "Sore throat and fever two days; rapid strep negative; acute pharyngitis.",
        diagnoses: &["J029", "R509"],
        lines: &[("99213", 1, &[1, 2]), ("87880", 1, &[1])],
        ages: (4, 60),
        sex: None,
        institutional: false,
        mistaken: None,
    },
    Visit {
        note: "Low back pain after lifting, no red flags; lumbar films.",
        diagnoses: &["M5450"],
        lines: &[("99213", 1, &[1]), ("72100", 1, &[1])],
        ages: (22, 75),
        sex: None,
        institutional: false,
        mistaken: Some(&["M545"]),
    },
    Visit {
        note: "Fall on outstretched right hand; torus fracture of distal radius, splinted.",
        diagnoses: &["S52521A"],
        lines: &[("99214", 1, &[1]), ("73090", 1, &[1]), ("29125", 1, &[1])],
        ages: (5, 16),
        sex: None,
        institutional: false,
        mistaken: Some(&["S52521"]),
    },
    Visit {
        note: "Cough and fever for a week; chest films to rule out pneumonia.",
        diagnoses: &["R059", "R509"],
        lines: &[("99213", 1, &[1, 2]), ("71046", 1, &[1, 2])],
        ages: (18, 90),
        sex: None,
        institutional: false,
        mistaken: None,
    },
    Visit {
        note: "Asthma review; spirometry.",
        diagnoses: &["J45909"],
        lines: &[("99213", 1, &[1]), ("94010", 1, &[1])],
        ages: (8, 70),
        sex: None,
        institutional: false,
        mistaken: None,
    },
    Visit {
        note: "Fever with new confusion; MRI brain with and without contrast.",
        diagnoses: &["R509"],
        lines: &[("99214", 1, &[1]), ("70553", 1, &[1])],
        ages: (25, 80),
        sex: None,
        institutional: false,
        mistaken: None,
    },
    Visit {
        note: "Emergency department: chest pain, ECG and chest films, ACS ruled out.",
        diagnoses: &["R079", "R0602"],
        lines: &[
            ("99284", 1, &[1, 2]),
            ("93000", 1, &[1]),
            ("71046", 1, &[1, 2]),
        ],
        ages: (30, 90),
        sex: None,
        institutional: true,
        mistaken: None,
    },
    Visit {
        note: "Emergency department: shortness of breath, asthma exacerbation excluded.",
        diagnoses: &["R0602"],
        lines: &[("99284", 1, &[1]), ("71046", 1, &[1])],
        ages: (18, 90),
        sex: None,
        institutional: true,
        mistaken: None,
    },
];

/// A patient the demo registers.
#[derive(Debug, Clone)]
pub struct Person {
    /// Medical record number (patient data).
    pub mrn: Redacted<String>,
    /// Last name (patient data).
    pub last: Redacted<String>,
    /// First name (patient data).
    pub first: Redacted<String>,
    /// Whether female.
    pub female: bool,
    /// Age in years at the visits.
    pub age: u32,
    /// The primary payer (electronic id) and plan.
    pub primary: (&'static str, &'static str),
    /// A secondary payer and plan, when there is one.
    pub secondary: Option<(&'static str, &'static str)>,
    /// Member id with each payer (patient data).
    pub member_id: Redacted<String>,
}

const LAST: &[&str] = &[
    "Garcia", "Smith", "Nguyen", "Johnson", "Okafor", "Brown", "Kowalski", "Davis", "Martin",
    "Lee", "Walker", "Rossi", "Haddad", "Clark", "Sato", "Novak",
];
const FEMALE: &[&str] = &[
    "Maria", "Linda", "Aisha", "Emma", "Grace", "Sofia", "Mei", "Nora",
];
const MALE: &[&str] = &[
    "James", "Omar", "Luis", "Peter", "Daniel", "Kenji", "Ivan", "Samuel",
];

/// `n` patients; the ages fit the visit each will have (`visit_of`).
pub fn people(rng: &mut Rng, visits: &[usize]) -> Vec<Person> {
    visits
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let visit = &VISITS[v];
            let female = visit.sex.unwrap_or_else(|| rng.chance(0.52));
            let age = visit.ages.0 + rng.below(visit.ages.1 - visit.ages.0 + 1);
            let first = if female {
                FEMALE[rng.below(FEMALE.len() as u32) as usize]
            } else {
                MALE[rng.below(MALE.len() as u32) as usize]
            };
            let (primary, secondary) = if rng.chance(0.25) {
                ((SCI, "SCIPPO"), None)
            } else if rng.chance(0.25) {
                ((ACME, "GOLD"), Some((SCI, "SUPP")))
            } else if rng.chance(0.5) {
                ((ACME, "GOLD"), None)
            } else {
                ((ACME, "SILVER"), None)
            };
            Person {
                mrn: format!("DEMO{:06}", i + 1).into(),
                last: LAST[rng.below(LAST.len() as u32) as usize]
                    .to_string()
                    .into(),
                first: first.to_string().into(),
                female,
                age,
                primary,
                secondary,
                member_id: format!("M{:08}", 10_000_000 + i as u64 * 7 + 3).into(),
            }
        })
        .collect()
}

/// The simulator's configuration for `people`: ACME (EFT, the demo's
/// denial rates and later adjustments) and SCI (checks), three plans and a
/// supplement, every member from 2026-01-01.
pub fn sim_config(people: &[Person]) -> anyhow::Result<SimConfig> {
    let acme_fees: serde_json::Map<String, serde_json::Value> = PROCEDURES
        .iter()
        .map(|p| (p.code.to_string(), json!(p.acme_fee)))
        .chain([("0450".to_string(), json!(40_000))])
        .collect();
    let sci_fees: serde_json::Map<String, serde_json::Value> = PROCEDURES
        .iter()
        .map(|p| (p.code.to_string(), json!(p.acme_fee * 9 / 10)))
        .collect();
    let mut members = Vec::new();
    for p in people {
        let mut member = |plan: &str| {
            members.push(json!({
                "member_id": p.member_id.expose(), "plan_id": plan,
                "coverage_start": "2026-01-01", "group_number": "GRP-DEMO"
            }))
        };
        member(p.primary.1);
        if let Some((_, plan)) = p.secondary {
            member(plan);
        }
    }
    let config = json!({
        "clearinghouse": { "id": "PAYERSIM", "name": "MEDBILL PAYER SIMULATOR" },
        "time": "0900",
        "adjudication_days": 1,
        "payment_days": 2,
        "payers": [
            {
                "id": ACME, "name": "ACME HEALTH PLAN", "tax_id": "061234567",
                "eft": {
                    "payer_routing": "011000015", "payer_account": "4400012345",
                    "payee_routing": "021000021", "payee_account": "7700098765"
                },
                "contract": {
                    "fee_schedule_cents": acme_fees,
                    "fee_schedule_percent": "0.80",
                    "billed_percent": "0.60",
                    "timely_filing_days": 180,
                    "bundled_pairs": [
                        { "column1": "80053", "column2": "36415", "modifier_allowed": true }
                    ],
                    "authorization_required": ["70553"],
                    "denial_rates": {
                        "missing_information": "0.03",
                        "medical_necessity": "0.02",
                        "not_covered": "0.01",
                        "bundling": "0.03"
                    },
                    "adjustments": {
                        "reversal_rate": "0.00",
                        "correction_percent": "0.10",
                        "interest_rate": "0.03",
                        "interest_percent": "0.01"
                    }
                }
            },
            {
                "id": SCI, "name": "SECOND CHOICE INSURANCE", "tax_id": "069876543",
                "contract": {
                    "fee_schedule_cents": sci_fees,
                    "fee_schedule_percent": "0.90",
                    "billed_percent": "0.50",
                    "timely_filing_days": 90,
                    "denial_rates": { "missing_information": "0.02", "bundling": "0.02" }
                }
            }
        ],
        "plans": [
            { "id": "GOLD", "payer_id": ACME, "name": "GOLD PPO", "deductible_cents": 50_000,
              "copay_cents": 0, "coinsurance": "0.20", "out_of_pocket_max_cents": 300_000,
              "insurance_type": "PR" },
            { "id": "SILVER", "payer_id": ACME, "name": "SILVER HMO", "deductible_cents": 0,
              "copay_cents": 2_500, "coinsurance": "0.10", "insurance_type": "HM" },
            { "id": "SCIPPO", "payer_id": SCI, "name": "SECOND CHOICE PPO", "deductible_cents": 25_000,
              "copay_cents": 2_000, "coinsurance": "0.20" },
            { "id": "SUPP", "payer_id": SCI, "name": "SECOND CHOICE SUPPLEMENT",
              "deductible_cents": 0, "coinsurance": "0.00" }
        ],
        "members": members
    });
    Ok(SimConfig::from_json(&config.to_string())?)
}
