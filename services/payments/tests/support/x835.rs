//! A small 835 (005010X221A1) writer for tests: literal segments, the
//! envelope around them, and the SE count, so each test states its claims
//! and cents and nothing else.

/// A service line (loop 2110).
pub struct Svc {
    /// SVC01 after `HC:`, modifiers included (`99214:25`); or the whole
    /// composite when it starts `NU:` (a revenue code).
    pub procedure: &'static str,
    pub charge: i64,
    pub paid: i64,
    /// Day of October 2026 for DTM*472.
    pub day: Option<u32>,
    /// REF*6R.
    pub control: Option<String>,
    /// (group, reason, cents).
    pub cas: Vec<(&'static str, &'static str, i64)>,
}

/// A claim payment (loop 2100).
pub struct Clp {
    pub pcn: &'static str,
    pub status: &'static str,
    pub charge: i64,
    pub paid: i64,
    pub patient_responsibility: i64,
    pub icn: &'static str,
    pub cas: Vec<(&'static str, &'static str, i64)>,
    pub services: Vec<Svc>,
}

/// One 835 file with one transaction set.
pub struct Remit {
    pub trace: &'static str,
    /// BPR02; `None` computes ΣCLP04 − ΣPLB (a balanced file).
    pub total: Option<i64>,
    pub claims: Vec<Clp>,
    /// (reason, reference, cents): positive reduces the payment.
    pub plb: Vec<(&'static str, &'static str, i64)>,
}

/// Cents as an X12 decimal amount.
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn cas(out: &mut Vec<String>, adjustments: &[(&str, &str, i64)]) {
    for (group, reason, cents) in adjustments {
        out.push(format!("CAS*{group}*{reason}*{}", amount(*cents)));
    }
}

impl Remit {
    /// The file's text.
    pub fn render(&self) -> String {
        let paid: i64 = self.claims.iter().map(|c| c.paid).sum();
        let plb: i64 = self.plb.iter().map(|p| p.2).sum();
        let total = self.total.unwrap_or(paid - plb);
        let mut body = vec![
            "ST*835*0001".to_string(),
            format!(
                "BPR*I*{}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261105",
                amount(total)
            ),
            format!("TRN*1*{}*1512345678", self.trace),
            "DTM*405*20261104".into(),
            "N1*PR*ACME HEALTH*XV*ACME01".into(),
            "N3*100 PAYER WAY".into(),
            "N4*HARTFORD*CT*06101".into(),
            "PER*BL*EDI SUPPORT*TE*8005551212".into(),
            "N1*PE*RIVERSIDE HOSPITAL*XX*1234567893".into(),
            "LX*1".into(),
        ];
        for c in &self.claims {
            body.push(format!(
                "CLP*{}*{}*{}*{}*{}*12*{}*11*1",
                c.pcn,
                c.status,
                amount(c.charge),
                amount(c.paid),
                amount(c.patient_responsibility),
                c.icn
            ));
            cas(&mut body, &c.cas);
            body.push("NM1*QC*1*DOE*JANE****MI*MEM123".into());
            for s in &c.services {
                let composite = if s.procedure.starts_with("NU:") {
                    s.procedure.to_string()
                } else {
                    format!("HC:{}", s.procedure)
                };
                body.push(format!(
                    "SVC*{}*{}*{}**1",
                    composite,
                    amount(s.charge),
                    amount(s.paid)
                ));
                if let Some(day) = s.day {
                    body.push(format!("DTM*472*202610{day:02}"));
                }
                cas(&mut body, &s.cas);
                if let Some(control) = &s.control {
                    body.push(format!("REF*6R*{control}"));
                }
            }
        }
        for (reason, reference, cents) in &self.plb {
            body.push(format!(
                "PLB*1234567893*20261231*{reason}:{reference}*{}",
                amount(*cents)
            ));
        }
        body.push(format!("SE*{}*0001", body.len() + 1));
        let mut out = vec![
            "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*MEDBILLRCV     *261104*1030*^*00501*000000101*0*P*:".to_string(),
            "GS*HP*PAYERSENDER*MEDBILLRCV*20261104*1030*101*X*005010X221A1".into(),
        ];
        out.extend(body);
        out.push("GE*1*101".into());
        out.push("IEA*1*000000101".into());
        out.iter().map(|s| format!("{s}~\n")).collect()
    }
}
