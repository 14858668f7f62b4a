//! Stable HSDS ids.
//!
//! HSDS wants a UUID for every object. tsunagu's records have their own ids
//! (`inage-k-001`), so each object's UUID is derived from them: UUID v5
//! (name-based, SHA-1) in tsunagu's own namespace, of the object kind and
//! the key it belongs to. Exporting the same records again gives the same
//! ids, so a consumer can update rather than duplicate.

use uuid::Uuid;

/// tsunagu's namespace for HSDS ids: UUID v5 of the URL namespace and
/// `urn:tsunagu:hsds` (checked by a test). Never change it: every id
/// published so far is derived from it.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x5864_da07_9654_574e_9476_3fe0_cf8b_2dd1);

/// The UUID of an object of `kind` (`service`, `location`, `schedule`…)
/// that belongs to `key` (a record id, an organizer's name, a term code).
/// Kind and key are joined by U+001F, which neither can contain.
pub fn object_id(kind: &str, key: &str) -> Uuid {
    let mut name = String::with_capacity(kind.len() + 1 + key.len());
    name.push_str(kind);
    name.push('\u{1f}');
    name.push_str(key);
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// The id of the HSDS service for a record: the record id itself when it
/// already is a UUID (a record that came from another HSDS source keeps
/// the id it had there), else [`object_id`]`("service", id)`.
pub fn service_id(record_id: &str) -> Uuid {
    match Uuid::try_parse(record_id) {
        Ok(uuid) if uuid.hyphenated().to_string() == record_id => uuid,
        _ => object_id("service", record_id),
    }
}

/// Whether `text` is a UUID in the hyphenated form HSDS uses.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36 && Uuid::try_parse(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_what_its_comment_says() {
        assert_eq!(
            NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:tsunagu:hsds")
        );
    }

    #[test]
    fn ids_are_stable_and_distinct_by_kind_and_key() {
        let a = object_id("service", "inage-k-001");
        assert_eq!(a, object_id("service", "inage-k-001"));
        assert_eq!(a.get_version_num(), 5);
        assert_ne!(a, object_id("location", "inage-k-001"));
        assert_ne!(a, object_id("service", "inage-k-002"));
        // The separator keeps ("a", "b:c") and ("a:b", "c") apart.
        assert_ne!(object_id("a", "b:c"), object_id("a:b", "c"));
    }

    #[test]
    fn a_uuid_record_id_is_its_own_service_id() {
        let id = "ac148810-d857-441c-9679-408f346de14b";
        assert_eq!(service_id(id).to_string(), id);
        // Upper case is not the form HSDS documents use: derived instead.
        let upper = id.to_uppercase();
        assert_ne!(service_id(&upper).to_string(), id);
        assert_eq!(service_id("x"), object_id("service", "x"));
    }
}
