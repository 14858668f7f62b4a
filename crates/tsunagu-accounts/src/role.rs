//! The three roles of the service.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The city (地域包括ケア推進課): everything, accounts included.
    Admin,
    /// Bound to one あんしんケアセンター: edits records of its area, reads all.
    Coordinator,
    /// Reads internal data, edits nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Coordinator, Role::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Viewer => "viewer",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Admin => "管理者",
            Role::Coordinator => "生活支援コーディネーター",
            Role::Viewer => "閲覧者",
        }
    }

    /// A role from its code or its Japanese label (surrounding spaces and
    /// letter case ignored).
    pub fn parse(text: &str) -> Option<Role> {
        let text = text.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(text) || r.label_ja() == text)
    }

    /// `admin（管理者）, coordinator（…）, viewer（…）` for messages.
    pub fn codes_with_labels() -> String {
        Role::ALL
            .iter()
            .map(|r| format!("{}（{}）", r.code(), r.label_ja()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
            assert_eq!(Role::parse(role.label_ja()), Some(role));
            assert_eq!(
                serde_json::to_value(role).ok(),
                Some(serde_json::Value::from(role.code()))
            );
        }
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse(""), None);
    }
}
