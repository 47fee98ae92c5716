//! Physician queries of an encounter (`encounter_queries`).

use sqlx::AnyConnection;

use crate::encounters::domain::PhysicianQuery;

/// Adds a physician query.
pub async fn insert_query(
    conn: &mut AnyConnection,
    encounter_id: &str,
    query: &PhysicianQuery,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO encounter_queries (query_id, encounter_id, question, asked_by, asked_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&query.query_id)
    .bind(encounter_id)
    .bind(&query.question)
    .bind(&query.asked_by)
    .bind(&query.asked_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the answer to an open query; false when there is no such open
/// query on the encounter.
pub async fn answer_query(
    conn: &mut AnyConnection,
    encounter_id: &str,
    query_id: &str,
    answer: &str,
    answered_at: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE encounter_queries SET answer = $1, answered_at = $2 \
         WHERE query_id = $3 AND encounter_id = $4 AND answer IS NULL",
    )
    .bind(answer)
    .bind(answered_at)
    .bind(query_id)
    .bind(encounter_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
