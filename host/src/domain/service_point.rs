//! The service network (服务网络): the places a tenant serves customers
//! from — its own service centres, authorised outlets and contracted
//! providers, the standard's three kinds — with where they are (a GB/T 2260
//! region, an address, a point on the map), when they are open (a business
//! calendar; the tenant's when absent) and what they serve (ticket kinds
//! and product categories; everything when empty).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{Calendar, CalendarSpec};

/// The longest name, address or category, in characters.
pub const MAX_TEXT: usize = 200;

/// The standard's three kinds of service point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// The tenant's own service centre (自营服务中心).
    ServiceCentre,
    /// An outlet the tenant has authorised (授权网点).
    AuthorisedOutlet,
    /// A provider under contract (签约服务商).
    ContractedProvider,
}

/// Where a service point is, as GB/T 2260 administrative division codes:
/// province `450000`, city `450100`, county `450102`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub province: String,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub county: Option<String>,
}

impl Region {
    /// Whether `code` (a province, city or county) contains this region.
    pub fn within(&self, code: &str) -> bool {
        self.province == code
            || self.city.as_deref() == Some(code)
            || self.county.as_deref() == Some(code)
    }
}

/// A point on the map, WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A service point of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServicePoint {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub name: String,
    pub kind: PointKind,
    pub region: Region,
    pub address: String,
    pub phone: Option<String>,
    pub location: Option<GeoPoint>,
    /// Opening hours as a business calendar; the tenant's when absent.
    #[schema(value_type = Option<Object>)]
    pub hours: Option<CalendarSpec>,
    /// Ticket kinds it serves; every kind when empty.
    pub kinds: Vec<String>,
    /// Product categories it serves; every category when empty.
    pub categories: Vec<String>,
    /// An inactive point is kept for history but takes no new work.
    pub active: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl ServicePoint {
    /// Whether the point takes tickets of `kind` for products of
    /// `category` (unknown category: any point that serves the kind).
    pub fn serves(&self, kind: &str, category: Option<&str>) -> bool {
        self.active
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
            && (self.categories.is_empty()
                || category.is_none_or(|c| self.categories.iter().any(|own| own == c)))
    }

    /// Check every field; the first problem found, in a sentence.
    pub fn check(&self) -> Result<(), String> {
        text("name", &self.name)?;
        text("address", &self.address)?;
        check_region(&self.region)?;
        if let Some(GeoPoint { lat, lon }) = self.location
            && !((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
        {
            return Err(format!(
                "location ({lat}, {lon}) is not on the map: latitude runs from -90 to 90, \
                 longitude from -180 to 180"
            ));
        }
        if let Some(phone) = &self.phone {
            text("phone", phone)?;
        }
        if let Some(hours) = &self.hours {
            Calendar::new(hours).map_err(|e| format!("hours: {e}"))?;
        }
        for kind in &self.kinds {
            let ok = kind.starts_with(|c: char| c.is_ascii_lowercase())
                && kind.len() <= 64
                && kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(format!("`{kind}` is not a ticket kind name"));
            }
        }
        for category in &self.categories {
            text("a product category", category)?;
        }
        Ok(())
    }
}

pub(crate) fn text(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{what} must not be empty"))
    } else if value.chars().count() > MAX_TEXT {
        Err(format!("{what} is longer than {MAX_TEXT} characters"))
    } else {
        Ok(())
    }
}

/// Each code is six digits; a province ends in `0000`, a city in `00`
/// (and lies in the province), a county in neither (and lies in the city);
/// a county needs its city.
fn check_region(region: &Region) -> Result<(), String> {
    let division = |level: &str, example: &str, code: &str, fits: bool| {
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && fits {
            Ok(())
        } else {
            Err(format!(
                "`{code}` is not a GB/T 2260 {level} code (six digits, e.g. {example})"
            ))
        }
    };
    let province = &region.province;
    division("province", "450000", province, province.ends_with("0000"))?;
    if let Some(city) = &region.city {
        let fits = city.ends_with("00") && !city.ends_with("0000");
        division("city", "450100", city, fits)?;
        if city[..2] != province[..2] {
            return Err(format!("city {city} is not in province {province}"));
        }
    }
    match (&region.city, &region.county) {
        (_, None) => Ok(()),
        (None, Some(_)) => Err("a county needs its city".into()),
        (Some(city), Some(county)) => {
            division("county", "450102", county, !county.ends_with("00"))?;
            if county[..4] != city[..4] {
                return Err(format!("county {county} is not in city {city}"));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(province: &str, city: Option<&str>, county: Option<&str>) -> Region {
        Region {
            province: province.into(),
            city: city.map(Into::into),
            county: county.map(Into::into),
        }
    }

    #[test]
    fn regions_nest_province_city_county() {
        for good in [
            region("450000", None, None),
            region("450000", Some("450100"), None),
            region("450000", Some("450100"), Some("450102")),
            region("110000", Some("110100"), Some("110105")),
        ] {
            assert_eq!(check_region(&good), Ok(()), "{good:?}");
        }
        for (bad, says) in [
            (region("4500", None, None), "province"),
            (region("450100", None, None), "province"),
            (region("45000x", None, None), "province"),
            (region("450000", Some("460100"), None), "not in province"),
            (region("450000", Some("450000"), None), "city code"),
            (
                region("450000", Some("450100"), Some("450200")),
                "county code",
            ),
            (
                region("450000", Some("450100"), Some("450201")),
                "not in city",
            ),
            (region("450000", None, Some("450102")), "needs its city"),
        ] {
            let error = check_region(&bad).unwrap_err();
            assert!(error.contains(says), "{bad:?}: {error}");
        }
    }

    #[test]
    fn a_point_serves_its_kinds_and_categories_while_active() {
        let mut point = ServicePoint {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            name: "Nanning Qingxiu service centre".into(),
            kind: PointKind::ServiceCentre,
            region: region("450000", Some("450100"), Some("450103")),
            address: "1 Minzu Avenue".into(),
            phone: None,
            location: Some(GeoPoint {
                lat: 22.817,
                lon: 108.366,
            }),
            hours: None,
            kinds: vec!["installation".into(), "repair".into()],
            categories: vec!["air_conditioner".into()],
            active: true,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        assert_eq!(point.check(), Ok(()));
        assert!(point.serves("repair", Some("air_conditioner")));
        assert!(point.serves("repair", None));
        assert!(!point.serves("repair", Some("washing_machine")));
        assert!(!point.serves("return", Some("air_conditioner")));
        assert!(point.region.within("450100") && !point.region.within("450200"));
        point.active = false;
        assert!(!point.serves("repair", Some("air_conditioner")));
        point.location = Some(GeoPoint {
            lat: 91.0,
            lon: 0.0,
        });
        assert!(point.check().unwrap_err().contains("not on the map"));
    }
}
