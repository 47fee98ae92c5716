//! The 270 writer and the 271 reader: the inquiry we send before a visit
//! and the coverage, deductible, copay and coinsurance that come back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::cli::{parse_to_json, validate};
use medbill_x12::eligibility::{BenefitKind, read_270, read_271, write_270, write_271};
use medbill_x12::{Segments, samples};

const RESPONSE: &[u8] = include_bytes!("fixtures/eligibility.271");

fn segment_texts(bytes: &[u8]) -> Vec<String> {
    Segments::new(bytes)
        .map(|s| s.unwrap().text().to_owned())
        .collect()
}

#[test]
fn a_271_gives_active_coverage_deductible_copay_and_coinsurance() {
    let response = read_271(RESPONSE).unwrap().remove(0);
    assert_eq!(response.reference_id, "INQ-42");
    let member = &response.members[0];
    assert_eq!(member.traces[0].number, "ELIG-1001");
    assert_eq!(member.traces[0].kind, "2");
    assert_eq!(
        member
            .member
            .as_ref()
            .unwrap()
            .id
            .as_ref()
            .unwrap()
            .expose(),
        "MEMBER1"
    );
    let kinds: Vec<BenefitKind> = member.benefits.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BenefitKind::ActiveCoverage,
            BenefitKind::Deductible,
            BenefitKind::Deductible,
            BenefitKind::CoPayment,
            BenefitKind::Coinsurance,
            BenefitKind::OutOfPocket,
            BenefitKind::Other,
        ]
    );
    let active = &member.benefits[0];
    assert_eq!(active.service_types, ["30", "98"]);
    assert_eq!(active.plan_description.as_deref(), Some("GOLD PPO"));
    let money = |i: usize| {
        let b = &member.benefits[i];
        (b.time_period.clone(), b.amount.map(|a| a.cents()))
    };
    assert_eq!(money(1), (Some("23".into()), Some(150_000)));
    assert_eq!(money(2), (Some("29".into()), Some(125_050)));
    assert_eq!(money(3), (Some("27".into()), Some(2_500)));
    assert_eq!(
        member.benefits[3].messages,
        ["COPAY APPLIES TO OFFICE VISITS"]
    );
    let coinsurance = &member.benefits[4];
    assert_eq!(
        coinsurance.percent.map(|p| p.to_string()),
        Some("0.2".into())
    );
    assert_eq!(coinsurance.in_network.as_deref(), Some("Y"));
    let out_of_pocket = &member.benefits[5];
    assert_eq!(out_of_pocket.coverage_level.as_deref(), Some("FAM"));
    assert_eq!(
        out_of_pocket.dates[0].end.map(|d| d.to_string()),
        Some("2024-12-31".into())
    );
    let pcp = &member.benefits[6].related_entities[0];
    assert_eq!(pcp.role, "P3");
}

#[test]
fn a_271_member_the_payer_cannot_find_carries_the_aaa_rejection() {
    let response = read_271(RESPONSE).unwrap().remove(0);
    let unknown = &response.members[1];
    assert!(unknown.benefits.is_empty());
    let rejection = &unknown.rejections[0];
    assert!(rejection.valid_request);
    assert_eq!(rejection.reason, "75");
    assert_eq!(rejection.follow_up.as_deref(), Some("C"));
}

#[test]
fn a_271_with_an_ls_loop_left_open_is_an_error() {
    let text = std::str::from_utf8(RESPONSE).unwrap();
    let broken = text
        .replacen("LE*2120~\n", "", 1)
        .replacen("SE*31*", "SE*30*", 1);
    let err = read_271(broken.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("missing required segment: LE"),
        "{err}"
    );
}

#[test]
fn a_271_eb07_with_three_decimals_is_refused_not_rounded() {
    let text = std::str::from_utf8(RESPONSE).unwrap();
    let broken = text.replacen("*27*25*", "*27*25.005*", 1);
    let err = read_271(broken.as_bytes()).unwrap_err();
    assert_eq!(err.location.segment_id, "EB");
    assert!(err.to_string().contains("EB07"), "{err}");
}

#[test]
fn parse_to_json_types_the_271_body() {
    let json = parse_to_json(RESPONSE).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "271");
    let benefits = &tx["data"]["members"][0]["benefits"];
    assert_eq!(benefits[1]["kind"], "deductible");
    assert_eq!(benefits[1]["amount"], "1500.00");
    assert_eq!(benefits[4]["percent"], "0.2");
    assert_eq!(tx["data"]["members"][1]["rejections"][0]["reason"], "75");
}

#[test]
fn the_270_writer_produces_the_x279a1_layout_with_true_counts() {
    let inquiry = samples::eligibility_inquiry("0001", 2);
    let file = write_270(&samples::interchange_params(7), &[inquiry]).unwrap();
    let segments = segment_texts(&file);
    assert_eq!(
        segments[1],
        "GS*HS*MEDBILL*CLEARINGHOUSE*20240315*1030*7*X*005010X279A1"
    );
    let body: Vec<&str> = segments[2..].iter().map(String::as_str).collect();
    assert_eq!(
        body,
        [
            "ST*270*0001*005010X279A1",
            "BHT*0022*13*INQ0001*20240315*1030",
            "HL*1**20*1",
            "NM1*PR*2*ACME HEALTH PLAN*****PI*12345",
            "HL*2*1*21*1",
            "NM1*1P*2*RIVERSIDE CLINIC*****XX*1234567893",
            "HL*3*2*22*0",
            "TRN*1*ELIG0001-0*9123456789",
            "NM1*IL*1*MEMBER*PAT0****MI*MBR000000",
            "DMG*D8*20240301*F",
            "DTP*291*D8*20240320",
            "EQ*30^98",
            "HL*4*2*22*0",
            "TRN*1*ELIG0001-1*9123456789",
            "NM1*IL*1*MEMBER*PAT1****MI*MBR000001",
            "EQ*30",
            "SE*17*0001",
            "GE*1*7",
            "IEA*1*000000007",
        ]
    );
    let report = validate(&file);
    assert!(!report.has_errors(), "{report}");
}

#[test]
fn the_270_writer_refuses_a_trace_originator_that_is_not_an_ein() {
    let mut inquiry = samples::eligibility_inquiry("0001", 1);
    inquiry.subscribers[0].trace_originator = "123".into();
    let err = write_270(&samples::interchange_params(7), &[inquiry]).unwrap_err();
    assert_eq!(err.field, "inquiries[0].subscribers[0].trace_originator");
}

#[test]
fn the_270_writer_refuses_a_member_id_holding_a_delimiter() {
    let mut inquiry = samples::eligibility_inquiry("0001", 1);
    inquiry.subscribers[0].member_id = medbill_x12::Phi::new("AB*12".into());
    let err = write_270(&samples::interchange_params(7), &[inquiry]).unwrap_err();
    assert_eq!(err.field, "NM109");
}

#[test]
fn a_271_written_from_the_fixture_reads_back_to_the_same_response() {
    let responses = read_271(RESPONSE).unwrap();
    let file = write_271(&samples::interchange_params(9), &responses).unwrap();
    assert_eq!(read_271(&file).unwrap(), responses);
    let report = validate(&file);
    assert!(!report.has_errors(), "{report}");
}

#[test]
fn the_271_writer_nests_a_dependent_under_its_subscriber_and_reports_benefits() {
    let mut response = read_271(RESPONSE).unwrap().remove(0);
    let mut child = response.members[0].clone();
    child.hl_id = "5".into();
    child.dependent = true;
    child.benefits.truncate(1);
    response.members.insert(1, child);
    response.members[2].hl_id = "6".into();
    let file = write_271(
        &samples::interchange_params(9),
        std::slice::from_ref(&response),
    )
    .unwrap();
    let segments = segment_texts(&file);
    let hls: Vec<&str> = segments
        .iter()
        .filter(|s| s.starts_with("HL*"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        hls,
        [
            "HL*1**20*1",
            "HL*2*1*21*1",
            "HL*3*2*22*1",
            "HL*5*3*23*0",
            "HL*6*2*22*0"
        ]
    );
    assert!(segments.contains(&"EB*C*IND*30***29*1250.5*****Y".to_owned()));
    assert!(segments.contains(&"AAA*Y**75*C".to_owned()));
    assert_eq!(read_271(&file).unwrap(), vec![response]);
}

#[test]
fn the_271_writer_refuses_a_benefit_kind_its_code_does_not_imply() {
    let mut response = read_271(RESPONSE).unwrap().remove(0);
    response.members[0].benefits[1].kind = BenefitKind::CoPayment;
    let err = write_271(&samples::interchange_params(9), &[response]).unwrap_err();
    assert_eq!(err.field, "responses[0].members[0].benefits[1].kind");
}

#[test]
fn the_271_writer_refuses_a_response_without_its_information_source() {
    let mut response = read_271(RESPONSE).unwrap().remove(0);
    response.payer = None;
    let err = write_271(&samples::interchange_params(9), &[response]).unwrap_err();
    assert_eq!(err.field, "responses[0].payer");
}

#[test]
fn a_270_written_by_billing_reads_back_to_the_same_inquiry() {
    let inquiries = vec![
        samples::eligibility_inquiry("0001", 3),
        samples::eligibility_inquiry("0002", 1),
    ];
    let file = write_270(&samples::interchange_params(7), &inquiries).unwrap();
    assert_eq!(read_270(&file).unwrap(), inquiries);
}

#[test]
fn a_270_without_service_types_is_refused_at_its_trailer() {
    let file = write_270(
        &samples::interchange_params(7),
        &[samples::eligibility_inquiry("0001", 1)],
    )
    .unwrap();
    let text = std::str::from_utf8(&file).unwrap();
    let count = segment_texts(&file).len() - 4;
    let broken = text.replacen("EQ*30^98~\n", "", 1).replacen(
        &format!("SE*{count}*"),
        &format!("SE*{}*", count - 1),
        1,
    );
    let err = read_270(broken.as_bytes()).unwrap_err();
    assert_eq!(err.location.segment_id, "SE");
    assert!(err.to_string().contains("EQ"), "{err}");
}

#[test]
fn a_dependent_is_asked_about_in_its_own_loops_under_the_subscriber_and_reads_back() {
    let mut inquiry = samples::eligibility_inquiry("0001", 2);
    inquiry.subscribers[0].dependent = Some(medbill_x12::eligibility::DependentInquiry {
        name: medbill_x12::claim::PersonName {
            last: medbill_x12::Phi::from("MEMBER"),
            first: Some(medbill_x12::Phi::from("KID")),
            middle: None,
            suffix: None,
        },
        birth_date: Some(medbill_x12::Phi::new(
            medbill_x12::Date::new(2015, 6, 9).unwrap(),
        )),
        sex: Some(medbill_x12::claim::Sex::Male),
        relationship: Some("19".into()),
    });
    let file = write_270(
        &samples::interchange_params(7),
        std::slice::from_ref(&inquiry),
    )
    .unwrap();
    let segments = segment_texts(&file);
    let body: Vec<&str> = segments[2..].iter().map(String::as_str).collect();
    assert_eq!(
        body[6..],
        [
            "HL*3*2*22*1",
            "NM1*IL*1*MEMBER*PAT0****MI*MBR000000",
            "DMG*D8*20240301*F",
            "HL*4*3*23*0",
            "TRN*1*ELIG0001-0*9123456789",
            "NM1*03*1*MEMBER*KID",
            "DMG*D8*20150609*M",
            "INS*N*19",
            "DTP*291*D8*20240320",
            "EQ*30^98",
            "HL*5*2*22*0",
            "TRN*1*ELIG0001-1*9123456789",
            "NM1*IL*1*MEMBER*PAT1****MI*MBR000001",
            "EQ*30",
            "SE*21*0001",
            "GE*1*7",
            "IEA*1*000000007",
        ]
    );
    let report = validate(&file);
    assert!(!report.has_errors(), "{report}");
    assert_eq!(read_270(&file).unwrap(), [inquiry]);
}

#[test]
fn a_dependent_level_without_its_subscriber_is_refused_naming_the_hl() {
    let file = write_270(
        &samples::interchange_params(7),
        &[samples::eligibility_inquiry("0001", 1)],
    )
    .unwrap();
    let text = std::str::from_utf8(&file).unwrap();
    let broken = text.replacen("HL*3*2*22*0", "HL*3*2*23*0", 1);
    let err = read_270(broken.as_bytes()).unwrap_err();
    assert_eq!(err.location.segment_id, "HL");
}
