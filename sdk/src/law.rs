//! What consumer law fixes for every sector that sells goods: the durable
//! goods of CPL Art. 23.

/// The product categories CPL Art. 23 names as durable goods (computers,
/// televisions, refrigerators, air conditioners, washing machines), in the
/// spellings tenants use for them. A defect of durable goods found within
/// six months of receipt is the seller's to disprove.
pub const DURABLE_GOODS: &[&str] = &[
    "computer",
    "laptop",
    "desktop_computer",
    "tv",
    "colour_tv",
    "television",
    "refrigerator",
    "air_conditioner",
    "washing_machine",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durable_goods_are_the_categories_cpl_art_23_names() {
        for category in ["laptop", "colour_tv", "refrigerator", "washing_machine"] {
            assert!(DURABLE_GOODS.contains(&category), "{category}");
        }
        for category in ["kettle", "bicycle", "TV", ""] {
            assert!(!DURABLE_GOODS.contains(&category), "{category}");
        }
    }
}
