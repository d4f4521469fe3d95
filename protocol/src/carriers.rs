//! The parcel carriers Turkish and European shops ship with: the name shoppers know, the
//! spellings shops and platforms send for it, its public tracking page, and, only where its
//! numbers are distinctive and carry a check digit, the format of its tracking numbers.
//!
//! A tracking number is given to a carrier only when exactly one format takes it, check digit
//! included. The domestic carriers' numbers are plain digits of lengths they share with each
//! other and with FedEx, DHL and DPD, so they have no format here: a number that could be
//! anyone's stays undetected, never guessed.
//!
//! Tracking pages are the ones the maintained WooCommerce plugins for Turkish shops link to
//! ("Kargo Takip Türkiye", "Hezarfen"), and the carriers' own for the international ones.

/// One carrier.
#[derive(Debug)]
pub struct Carrier {
    /// Stable: the same carrier keeps its code when its name changes (MNG Kargo became DHL
    /// eCommerce).
    pub code: &'static str,
    /// The name shoppers know, as the tracker shows it.
    pub name: &'static str,
    /// Other spellings shops and platforms send (Shopify's `tracking_company`, the WooCommerce
    /// tracking plugins' slugs), compared as [`fold`] leaves them.
    aliases: &'static [&'static str],
    /// The carrier's tracking page, `{number}` standing for the tracking number.
    tracking_page: &'static str,
    /// Whether a tracking number is this carrier's by its format and check digit alone.
    numbers: Option<fn(&str) -> bool>,
}

impl Carrier {
    /// The carrier's own page for `number`.
    pub fn tracking_url(&self, number: &str) -> String {
        self.tracking_page
            .replace("{number}", &percent_encode(number.trim()))
    }
}

pub const CARRIERS: &[Carrier] = &[
    Carrier {
        code: "yurtici",
        name: "Yurtiçi Kargo",
        aliases: &["yurtici", "yurticikargo"],
        tracking_page: "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={number}",
        numbers: None,
    },
    Carrier {
        code: "aras",
        name: "Aras Kargo",
        aliases: &["aras", "araskargo"],
        tracking_page: "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={number}",
        numbers: None,
    },
    Carrier {
        code: "mng",
        name: "DHL eCommerce (MNG Kargo)",
        // Not plain "DHL eCommerce": that is Shopify's name for DHL's international parcels.
        aliases: &[
            "mng",
            "mngkargo",
            "dhlecommercetr",
            "dhlecommerceturkiye",
            "dhlecommerceturkey",
        ],
        tracking_page: "https://kargotakip.dhlecommerce.com.tr/?takipNo={number}",
        numbers: None,
    },
    Carrier {
        code: "ptt",
        name: "PTT Kargo",
        aliases: &["ptt", "pttkargo", "turkishpost", "turkeypost"],
        tracking_page: "https://gonderitakip.ptt.gov.tr/Track/Verify?q={number}",
        numbers: Some(is_turkish_post_s10),
    },
    Carrier {
        code: "surat",
        name: "Sürat Kargo",
        aliases: &["surat", "suratkargo"],
        tracking_page: "https://www.suratkargo.com.tr/KargoTakip/?kargotakipno={number}",
        numbers: None,
    },
    Carrier {
        code: "hepsijet",
        name: "HepsiJet",
        aliases: &["hepsijet"],
        tracking_page: "https://www.hepsijet.com/gonderi-takibi/{number}",
        numbers: None,
    },
    Carrier {
        code: "trendyol_express",
        name: "Trendyol Express",
        aliases: &["trendyolexpress", "tex", "trendyolkargo"],
        tracking_page: "https://kargotakip.trendyol.com/?orderNumber={number}",
        numbers: None,
    },
    Carrier {
        code: "kolay_gelsin",
        name: "Kolay Gelsin",
        aliases: &["kolaygelsin"],
        tracking_page: "https://esube.kolaygelsin.com/shipments?trackingId={number}",
        numbers: None,
    },
    Carrier {
        code: "ups",
        name: "UPS",
        aliases: &["ups", "unitedparcelservice", "upskargo"],
        tracking_page: "https://www.ups.com/track?tracknum={number}",
        numbers: Some(is_ups_1z),
    },
    Carrier {
        code: "dhl_express",
        name: "DHL Express",
        aliases: &["dhl", "dhlexpress", "dhlkargo"],
        tracking_page: "https://www.dhl.com/tr-tr/home/tracking.html?tracking-id={number}",
        numbers: None,
    },
    Carrier {
        code: "fedex",
        name: "FedEx",
        aliases: &["fedex", "federalexpress"],
        tracking_page: "https://www.fedex.com/fedextrack/?action=track&tracknumbers={number}",
        numbers: None,
    },
    Carrier {
        code: "gls",
        name: "GLS",
        aliases: &["gls"],
        tracking_page: "https://gls-group.eu/EU/en/parcel-tracking?match={number}",
        numbers: None,
    },
    Carrier {
        code: "dpd",
        name: "DPD",
        aliases: &["dpd"],
        tracking_page: "https://tracking.dpd.de/status/en_US/parcel/{number}",
        numbers: None,
    },
];

/// The carrier a shop or a platform named, however it spelled it ("Yurtiçi Kargo",
/// "YURTICI", "yurtici-kargo").
pub fn by_name(name: &str) -> Option<&'static Carrier> {
    let folded = fold(name);
    if folded.is_empty() {
        return None;
    }
    CARRIERS
        .iter()
        .find(|c| fold(c.name) == folded || c.aliases.contains(&folded.as_str()))
}

/// The one carrier whose number format takes `number`; `None` when none does or more than one
/// would.
pub fn detect(number: &str) -> Option<&'static Carrier> {
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let mut takers = CARRIERS
        .iter()
        .filter(|c| c.numbers.is_some_and(|takes| takes(&number)));
    match (takers.next(), takers.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// A name as names are compared: lower case, Turkish letters as their ASCII base letters, and
/// nothing but letters and digits.
fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'ç' => Some('c'),
            'ğ' => Some('g'),
            'ı' => Some('i'),
            'ö' => Some('o'),
            'ş' => Some('s'),
            'ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c),
            // The dot `İ` lowers to (`i` + U+0307), and any other mark or sign.
            _ => None,
        })
        .collect()
}

/// A UPS `1Z` number: `1Z`, 15 letters or digits, and a check digit over those 15 (letters
/// counting as `(ASCII − 3) mod 10`, every second one doubled).
fn is_ups_1z(number: &str) -> bool {
    let Some(body) = number.strip_prefix("1Z") else {
        return false;
    };
    let bytes = body.as_bytes();
    if bytes.len() != 16 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let value = |b: u8| {
        if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            (u32::from(b) - 3) % 10
        }
    };
    let sum: u32 = bytes[..15]
        .iter()
        .enumerate()
        .map(|(i, b)| if i % 2 == 1 { 2 * value(*b) } else { value(*b) })
        .sum();
    bytes[15].is_ascii_digit() && u32::from(bytes[15] - b'0') == (10 - sum % 10) % 10
}

/// A Turkish post number in the UPU S10 form: two letters, eight digits, a check digit over them
/// (weights 8 6 4 2 3 5 9 7, mod 11) and `TR`.
fn is_turkish_post_s10(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 13
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..11].iter().all(u8::is_ascii_digit)
        || &bytes[11..] != b"TR"
    {
        return false;
    }
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = bytes[2..10]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    };
    u32::from(bytes[10] - b'0') == check
}

/// `value` as one URL query value or path segment: everything but the unreserved characters
/// percent-encoded.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_however_they_are_spelled() {
        for (sent, code) in [
            ("Yurtiçi Kargo", "yurtici"),
            ("YURTİÇİ KARGO", "yurtici"),
            ("yurtici", "yurtici"),
            ("Aras Kargo", "aras"),
            ("MNG Kargo", "mng"),
            ("DHL eCommerce Türkiye", "mng"),
            ("PTT", "ptt"),
            ("Sürat Kargo", "surat"),
            ("Hepsi Jet", "hepsijet"),
            ("trendyol-express", "trendyol_express"),
            ("Kolay Gelsin", "kolay_gelsin"),
            ("UPS", "ups"),
            ("DHL Express", "dhl_express"),
            ("FedEx", "fedex"),
            ("GLS", "gls"),
            ("DPD", "dpd"),
        ] {
            assert_eq!(by_name(sent).map(|c| c.code), Some(code), "{sent}");
        }
        for unknown in [
            "",
            " ",
            "Kargo",
            "Our own van",
            "DHL Parcel UK",
            "DHL eCommerce",
        ] {
            assert!(by_name(unknown).is_none(), "{unknown}");
        }
    }

    #[test]
    fn every_carrier_has_a_unique_code_and_an_https_page_with_the_number() {
        for (i, c) in CARRIERS.iter().enumerate() {
            assert!(c.tracking_page.starts_with("https://"), "{}", c.code);
            assert!(c.tracking_page.contains("{number}"), "{}", c.code);
            assert!(CARRIERS[..i].iter().all(|o| o.code != c.code), "{}", c.code);
            assert_eq!(by_name(c.name).map(|f| f.code), Some(c.code));
            for alias in c.aliases {
                assert_eq!(by_name(alias).map(|f| f.code), Some(c.code), "{alias}");
            }
        }
    }

    #[test]
    fn numbers_with_a_distinctive_format_and_check_digit_are_detected() {
        // UPS's own sample numbers; S10 numbers computed by its rule.
        for (number, code) in [
            ("1Z5R89390357567127", "ups"),
            ("1Z879E930346834440", "ups"),
            ("1zxx3150yw44070023", "ups"),
            ("RB123456785TR", "ptt"),
            ("CP 000 000 005 TR", "ptt"),
        ] {
            assert_eq!(detect(number).map(|c| c.code), Some(code), "{number}");
        }
    }

    #[test]
    fn numbers_anyone_could_have_stay_undetected() {
        for number in [
            // A wrong check digit.
            "1Z5R89390357567128",
            "1Z1111111111111111",
            "RB123456786TR",
            // Another post's S10 number: not a carrier of this table.
            "RB123456785GB",
            // Plain digits, as every domestic carrier, DHL, FedEx and DPD give out.
            "123456789012",
            "3318810025",
            "",
        ] {
            assert!(detect(number).is_none(), "{number}");
        }
    }

    #[test]
    fn the_tracking_page_holds_the_number_encoded() {
        let yurtici = by_name("Yurtiçi Kargo").expect("in the table");
        assert_eq!(
            yurtici.tracking_url(" 123456789012 "),
            "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=123456789012"
        );
        assert_eq!(
            yurtici.tracking_url("A&B c/d"),
            "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=A%26B%20c%2Fd"
        );
    }
}
