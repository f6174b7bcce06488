//! Visible labels: the words a page prints above or inside a block to say what it is.
//!
//! A text is a label only when it consists entirely of label phrases ("Sponsored Links by
//! Taboola", "You May Like", "STORY CONTINUES BELOW THIS AD"). A sentence that merely mentions
//! one ("the legislation, sponsored by Graham and Blumenthal") is never a label.

use crate::core::fnv::{Map, Set};
use crate::core::rules::RuleId;
use std::sync::OnceLock;

/// What a label says about the block it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LabelKind {
    /// Header of a paid-recommendation widget: the whole widget goes.
    SponsoredWidget,
    /// Header of a box of the site's partners' or sponsors' links ("From Our Partners",
    /// "Sponsored Features"): the whole box goes.
    PartnerBox,
    /// Break between paragraphs announcing an ad: the label (and its empty wrapper) goes.
    AdBreak,
    /// A tag on a single ad ("Advertisement", "Sponsored"): the ad item it tags goes.
    AdMarker,
    /// The site's own promotion ("Try our AI features").
    Promo,
    Related,
    Comments,
    Social,
}

impl LabelKind {
    pub fn rule(self) -> RuleId {
        match self {
            LabelKind::SponsoredWidget => RuleId::LabelSponsoredWidget,
            LabelKind::PartnerBox => RuleId::PartnerBox,
            LabelKind::AdBreak => RuleId::AdBreakLabel,
            LabelKind::AdMarker => RuleId::LabelAdMarker,
            LabelKind::Promo => RuleId::PromoLabel,
            LabelKind::Related => RuleId::RelatedLabel,
            LabelKind::Comments => RuleId::CommentsLabel,
            LabelKind::Social => RuleId::SocialLabel,
        }
    }

    /// Whether the label says its block is an ad (a widget's or partner box's heading, a
    /// marker or a credit), as opposed to an ad break or another category's title.
    pub fn tags_an_ad(self) -> bool {
        matches!(
            self,
            LabelKind::SponsoredWidget | LabelKind::PartnerBox | LabelKind::AdMarker
        )
    }

    /// Whether the label names a whole section (grow to the widget) rather than one item.
    pub fn names_a_section(self) -> bool {
        match self {
            LabelKind::SponsoredWidget
            | LabelKind::PartnerBox
            | LabelKind::Promo
            | LabelKind::Related
            | LabelKind::Comments
            | LabelKind::Social => true,
            LabelKind::AdBreak | LabelKind::AdMarker => false,
        }
    }
}

/// Phrases, already normalised (see [`normalize_label`]), per kind. Multilingual entries are the
/// words publishers print in those languages.
const PHRASES: &[(LabelKind, &[&str])] = &[
    (
        LabelKind::SponsoredWidget,
        &[
            "sponsored links",
            "sponsored link",
            "promoted links",
            "promoted link",
            "sponsored stories",
            "promoted stories",
            "sponsored content",
            "promoted content",
            "sponsored articles",
            "paid content",
            "paid links",
            "you may like",
            "you might like",
            "recommended by",
            "by taboola",
            "taboola",
            "by outbrain",
            "outbrain",
            "powered by revcontent",
            "by revcontent",
            "revcontent",
            "by mgid",
            "mgid",
            "by zergnet",
            "zergnet",
            "by dianomi",
            "dianomi",
            "ads by google",
            "ads by",
            "adchoices",
            "ad choices",
            "gesponserte links",
            "gesponserte inhalte",
            "liens sponsorisés",
            "contenu sponsorisé",
            "contenus sponsorisés",
            "enlaces patrocinados",
            "contenido patrocinado",
            "link sponsorizzati",
            "contenuti sponsorizzati",
            "links patrocinados",
            "conteúdo patrocinado",
            "gesponsorde links",
            "linki sponsorowane",
            "sponsrade länkar",
            "спонсорские ссылки",
            "sponsorlu bağlantılar",
            // "You May Like", "Recommended by" and their equivalents, per language.
            "das könnte sie auch interessieren",
            "das könnte dich auch interessieren",
            "empfohlen von",
            "vous aimerez peut être",
            "vous aimerez aussi",
            "recommandé par",
            "sur le web",
            "te puede interesar",
            "también te puede interesar",
            "te podría interesar",
            "recomendado por",
            "ti potrebbe interessare",
            "potrebbe interessarti",
            "consigliato da",
            "você pode gostar",
            "você também pode gostar",
            "pode lhe interessar",
            "misschien vind je dit ook leuk",
            "aanbevolen door",
            "może cię zainteresować",
            "polecane przez",
            "du kanske också gillar",
            "rekommenderas av",
            "вам может понравиться",
            "вам также может понравиться",
            "рекомендуем",
            "ilginizi çekebilir",
            "bunlar da ilginizi çekebilir",
            "スポンサーリンク",
            "あなたへのおすすめ",
            "猜你喜欢",
            "你可能喜欢",
            "赞助内容",
            "推广",
            "추천 콘텐츠",
            "관련 광고",
            "파워링크",
        ],
    ),
    (
        LabelKind::PartnerBox,
        &[
            "partner content",
            "partner contents",
            "content from our partners",
            "from our partners",
            "top from our partners",
            "more from our partners",
            "offers from our partners",
            "links from our partners",
            "from our sponsors",
            "sponsored features",
            "sponsored feature",
            "sponsor features",
            "sponsor links",
            "partner links",
            "partner offers",
            "partner center",
            "partner centre",
            "around the web",
            "from around the web",
            "from the web",
            "more from the web",
            // German
            "von unseren partnern",
            "angebote unserer partner",
            "partnerangebote",
            "partnerinhalte",
            "partner inhalte",
            "aus dem netz",
            "mehr aus dem netz",
            // French
            "de nos partenaires",
            "chez nos partenaires",
            "offres de nos partenaires",
            "contenu partenaire",
            "contenus partenaires",
            "ailleurs sur le web",
        ],
    ),
    (
        LabelKind::AdBreak,
        &[
            "story continues below this ad",
            "story continues below advertisement",
            "story continues below",
            "article continues below this ad",
            "article continues below advertisement",
            "article continues below",
            "content continues below",
            "continue reading below",
            "continue reading below advertisement",
            "advertisement continue reading below",
            "scroll to continue with content",
            "scroll to continue reading",
            "the article continues after this advertisement",
            "continue reading the main story",
            "story continues after advertisement",
            "weiterlesen nach der anzeige",
            "lesen sie nach der anzeige weiter",
            "der artikel wird unterhalb fortgesetzt",
            "l article continue après la publicité",
            "l article continue ci dessous",
            "artikel wird nach der anzeige fortgesetzt",
            "la suite après cette publicité",
            "la suite après la publicité",
        ],
    ),
    (
        LabelKind::AdMarker,
        &[
            "advertisement",
            "advertisements",
            "advertisment",
            "advert",
            "ad",
            "ads",
            "sponsored",
            "promoted",
            "paid post",
            "paid partnership",
            // Credits whose sponsor is shown apart (a logo, a link of its own).
            "supported by",
            "presented by",
            "in partnership with",
            "präsentiert von",
            "gesponsert von",
            "in zusammenarbeit mit",
            "présenté par",
            "sponsorisé par",
            "en partenariat avec",
            "sponsored post",
            "anzeige",
            "werbung",
            "gesponsert",
            "publicité",
            "sponsorisé",
            "publicidad",
            "patrocinado",
            "anuncio",
            "pubblicità",
            "sponsorizzato",
            "publicidade",
            "advertentie",
            "gesponsord",
            "reklama",
            "sponsorowane",
            "annons",
            "sponsrad",
            "реклама",
            "reklam",
            "sponsorlu",
            "広告",
            "スポンサー",
            "广告",
            "廣告",
            "赞助",
            "광고",
            "스폰서",
        ],
    ),
    (
        LabelKind::Promo,
        &[
            "try our ai features",
            "try our ai",
            "try ai features",
            "download our app",
            "download the app",
            "get the app",
            "get our app",
            "install our app",
            "open in app",
            "subscribe to our newsletter",
            "sign up for our newsletter",
            "sign up to our newsletter",
            "subscribe now",
            "become a member",
            "become a subscriber",
            "support our journalism",
            "unlock unlimited access",
            "get unlimited access",
        ],
    ),
    (
        LabelKind::Related,
        &[
            "related articles",
            "related stories",
            "related posts",
            "related news",
            "related content",
            "related",
            "more stories",
            "most read",
            "most popular",
            "most viewed",
            "recommended for you",
            "read next",
            "up next",
            "you may also like",
            "more on this story",
            "trending now",
        ],
    ),
    (
        LabelKind::Comments,
        &[
            "comments",
            "comment",
            "no comments yet",
            "leave a comment",
            "post a comment",
            "add a comment",
            "join the conversation",
            "show comments",
            "view comments",
            "be the first to comment",
        ],
    ),
    (
        LabelKind::Social,
        &[
            "share",
            "share this",
            "share this article",
            "share this story",
            "share article",
            "follow us",
        ],
    ),
];

/// Words that may join label phrases without making the text something else.
const JOINERS: &[&str] = &["and", "by"];

/// Lower case, every run of non-alphanumeric characters made one space, trimmed.
pub fn normalize_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        // Combining marks (Turkish "İ" lower-cases to "i" + U+0307) belong to their letter.
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(
                c.to_lowercase()
                    .filter(|l| !('\u{300}'..='\u{36f}').contains(l)),
            );
        } else {
            pending_space = true;
        }
    }
    out
}

/// Classifies a short text. `None` unless the whole text is made of label phrases.
pub fn classify_label(text: &str) -> Option<LabelKind> {
    let normalized = normalize_label(text);
    if normalized.is_empty() || normalized.chars().count() > 80 {
        return None;
    }
    let words: Vec<&str> = normalized.split(' ').collect();
    if let Some(kind) = sponsor_credit(&words) {
        return Some(kind);
    }
    cover_with_phrases(&words)
}

/// Credit lines: these words, then a sponsor's name ("Sponsored by Acme").
const CREDITS: &[&[&str]] = &[
    &["sponsored", "by"],
    &["sponsored", "content", "provided", "by"],
    &["promoted", "by"],
    &["paid", "for", "by"],
    &["presented", "by"],
    &["advertisement", "by"],
    &["supported", "by"],
    &["in", "partnership", "with"],
    &["gesponsert", "von"],
    &["präsentiert", "von"],
    &["in", "zusammenarbeit", "mit"],
    &["in", "kooperation", "mit"],
    &["sponsorisé", "par"],
    &["présenté", "par"],
    &["en", "partenariat", "avec"],
];

/// "Sponsored by Acme", "Paid for by Acme Corp": a short credit line tagging one ad.
fn sponsor_credit(words: &[&str]) -> Option<LabelKind> {
    const MAX_CREDIT_WORDS: usize = 6;
    if words.len() > MAX_CREDIT_WORDS {
        return None;
    }
    CREDITS
        .iter()
        .find(|credit| words.len() > credit.len() && words.starts_with(credit))
        .map(|_| LabelKind::AdMarker)
}

/// Whether a short text is a credit's words alone ("Sponsored by:"), the sponsor shown apart.
pub fn is_credit_prefix(text: &str) -> bool {
    let normalized = normalize_label(text);
    let words: Vec<&str> = normalized.split(' ').collect();
    CREDITS.iter().any(|credit| words == **credit)
}

/// Whether a short text is a sponsor's credit line ("Sponsored by Crowe"), which names someone
/// no phrase table knows.
pub fn is_sponsor_credit(text: &str) -> bool {
    let normalized = normalize_label(text);
    let words: Vec<&str> = normalized.split(' ').collect();
    sponsor_credit(&words).is_some()
}

/// The phrase tables split into words once, indexed by first word.
struct PhraseIndex {
    by_first_word: Map<&'static str, Vec<(LabelKind, Vec<&'static str>)>>,
    all_words: Set<&'static str>,
}

fn phrase_index() -> &'static PhraseIndex {
    static INDEX: OnceLock<PhraseIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_first_word: Map<&'static str, Vec<(LabelKind, Vec<&'static str>)>> =
            Map::default();
        let mut all_words = Set::default();
        for (kind, phrases) in PHRASES {
            for phrase in phrases.iter() {
                let words: Vec<&'static str> = phrase.split(' ').collect();
                all_words.extend(words.iter().copied());
                by_first_word
                    .entry(words[0])
                    .or_default()
                    .push((*kind, words));
            }
        }
        // A credit's words may stand in a node of their own, the sponsor's name in the next.
        for credit in CREDITS {
            all_words.extend(credit.iter().copied());
        }
        PhraseIndex {
            by_first_word,
            all_words,
        }
    })
}

/// Whether every word of a short text could belong to a label: a cheap test that lets the
/// planner skip the many texts that cannot be (or be part of) one.
pub fn could_be_label_part(text: &str) -> bool {
    let index = phrase_index();
    let normalized = normalize_label(text);
    !normalized.is_empty()
        && normalized
            .split(' ')
            .all(|word| index.all_words.contains(word) || JOINERS.contains(&word))
}

/// Dynamic programme over word positions: can the words be covered entirely by phrases (and
/// joiners)? Returns the most ad-like kind among the phrases used.
fn cover_with_phrases(words: &[&str]) -> Option<LabelKind> {
    let index = phrase_index();
    // Most texts are not labels: reject at once when the first word starts no phrase.
    if !index.by_first_word.contains_key(words.first()?) {
        return None;
    }
    // best[i]: the best (smallest) kind with which words[..i] can be covered; Some(None) means
    // covered by joiners only.
    let mut best: Vec<Option<Option<LabelKind>>> = vec![None; words.len() + 1];
    best[0] = Some(None);
    for start in 0..words.len() {
        let Some(so_far) = best[start] else {
            continue;
        };
        if JOINERS.contains(&words[start]) {
            merge(&mut best[start + 1], so_far);
        }
        let Some(candidates) = index.by_first_word.get(words[start]) else {
            continue;
        };
        for (kind, phrase_words) in candidates {
            let end = start + phrase_words.len();
            if end <= words.len() && words[start..end] == phrase_words[..] {
                let kind = Some(match so_far {
                    Some(previous) => previous.min(*kind),
                    None => *kind,
                });
                merge(&mut best[end], kind);
            }
        }
    }
    best[words.len()].flatten()
}

fn merge(slot: &mut Option<Option<LabelKind>>, candidate: Option<LabelKind>) {
    *slot = match *slot {
        None => Some(candidate),
        Some(None) => Some(candidate),
        Some(Some(existing)) => Some(Some(match candidate {
            Some(new) => existing.min(new),
            None => existing,
        })),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_headers_are_sponsored_widgets() {
        for text in [
            "Sponsored Links",
            "Promoted Links",
            "You May Like",
            "by Taboola",
            "Sponsored Links by Taboola",
            "Promoted Links | Sponsored Links",
            "Recommended by",
        ] {
            assert_eq!(
                classify_label(text),
                Some(LabelKind::SponsoredWidget),
                "{text}"
            );
        }
        for text in [
            "From Around the Web",
            "Top From Our Partners",
            "Sponsored Features",
            "Von unseren Partnern",
            "De nos partenaires",
        ] {
            assert_eq!(classify_label(text), Some(LabelKind::PartnerBox), "{text}");
        }
    }

    #[test]
    fn ad_breaks_and_markers() {
        assert_eq!(
            classify_label("STORY CONTINUES BELOW THIS AD"),
            Some(LabelKind::AdBreak)
        );
        assert_eq!(classify_label(" Advertisement "), Some(LabelKind::AdMarker));
        assert_eq!(classify_label("Anzeige"), Some(LabelKind::AdMarker));
        assert_eq!(classify_label("広告"), Some(LabelKind::AdMarker));
        assert_eq!(
            classify_label("Sponsored by Acme"),
            Some(LabelKind::AdMarker)
        );
    }

    #[test]
    fn labels_in_fourteen_languages() {
        let cases = [
            ("Anzeige", LabelKind::AdMarker),
            (
                "Das könnte Sie auch interessieren",
                LabelKind::SponsoredWidget,
            ),
            ("Sponsorisé", LabelKind::AdMarker),
            ("Vous aimerez peut-être", LabelKind::SponsoredWidget),
            ("Publicidad", LabelKind::AdMarker),
            ("También te puede interesar", LabelKind::SponsoredWidget),
            ("Pubblicità", LabelKind::AdMarker),
            ("Ti potrebbe interessare", LabelKind::SponsoredWidget),
            ("Patrocinado", LabelKind::AdMarker),
            ("Você pode gostar", LabelKind::SponsoredWidget),
            ("Advertentie", LabelKind::AdMarker),
            ("Aanbevolen door", LabelKind::SponsoredWidget),
            ("Reklama", LabelKind::AdMarker),
            ("Może Cię zainteresować", LabelKind::SponsoredWidget),
            ("Annons", LabelKind::AdMarker),
            ("Du kanske också gillar", LabelKind::SponsoredWidget),
            ("Реклама", LabelKind::AdMarker),
            ("Вам может понравиться", LabelKind::SponsoredWidget),
            ("Reklam", LabelKind::AdMarker),
            ("İlginizi çekebilir", LabelKind::SponsoredWidget),
            ("広告", LabelKind::AdMarker),
            ("スポンサーリンク", LabelKind::SponsoredWidget),
            ("广告", LabelKind::AdMarker),
            ("猜你喜欢", LabelKind::SponsoredWidget),
            ("광고", LabelKind::AdMarker),
            ("추천 콘텐츠", LabelKind::SponsoredWidget),
            ("Around the Web", LabelKind::PartnerBox),
            ("Recommended by", LabelKind::SponsoredWidget),
        ];
        for (text, kind) in cases {
            assert_eq!(classify_label(text), Some(kind), "{text}");
        }
        // Look-alikes: the same words inside ordinary sentences.
        for text in [
            "Die Anzeige wurde bei der Polizei erstattet",
            "La publicidad institucional creció un 20 %",
            "Реклама на телевидении дорожает",
            "広告業界の売上は増えた",
        ] {
            assert_eq!(classify_label(text), None, "{text}");
        }
    }

    #[test]
    fn promos_and_optional_sections() {
        assert_eq!(
            classify_label("Try Our AI Features"),
            Some(LabelKind::Promo)
        );
        assert_eq!(classify_label("Related Articles"), Some(LabelKind::Related));
        assert_eq!(
            classify_label("No comments yet..."),
            Some(LabelKind::Comments)
        );
        assert_eq!(classify_label("Comments"), Some(LabelKind::Comments));
        assert_eq!(
            classify_label("Share this article"),
            Some(LabelKind::Social)
        );
    }

    #[test]
    fn sentences_that_mention_labels_are_not_labels() {
        for text in [
            "Congress has been prepared to act on the legislation, sponsored by Graham and Blumenthal, for some time.",
            "sponsored by Graham and Blumenthal, for some time",
            "Ad hoc committee",
            "You may like this approach",
            "Learn More",
            "Undo",
            "Advertisement revenue fell",
            "Related to the budget, the minister said little",
            "Comments from the minister were brief",
            "Share prices fell sharply on Monday",
            "Try our AI features in the new app, the company said on Monday",
            "",
        ] {
            assert_eq!(classify_label(text), None, "{text}");
        }
    }

    #[test]
    fn normalisation_drops_punctuation_and_case() {
        assert_eq!(normalize_label("  No comments yet... "), "no comments yet");
        assert_eq!(normalize_label("STORY—CONTINUES"), "story continues");
    }
}
