//! The dashboard's words in Turkish and English. The language follows the browser at first; the
//! merchant's choice is remembered on this device (it is not a secret, unlike the key).

const LANG_STORAGE: &str = "memnun:admin:lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Tr,
    En,
}

impl Lang {
    pub fn detect() -> Lang {
        let window = web_sys::window();
        let stored = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(LANG_STORAGE).ok().flatten());
        let preferred = stored.or_else(|| window.and_then(|w| w.navigator().language()));
        match preferred {
            Some(tag) if tag.to_ascii_lowercase().starts_with("tr") => Lang::Tr,
            _ => Lang::En,
        }
    }

    pub fn remember(self) {
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(LANG_STORAGE, self.tag());
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Tr => "tr",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Tr => Lang::En,
            Lang::En => Lang::Tr,
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::Tr => &TR,
            Lang::En => &EN,
        }
    }
}

macro_rules! strings {
    ($($name:ident: $en:expr, $tr:expr;)*) => {
        /// Every word the dashboard shows; `{}` marks where a value goes.
        pub struct Strings { $(pub $name: &'static str,)* }
        pub static EN: Strings = Strings { $($name: $en,)* };
        pub static TR: Strings = Strings { $($name: $tr,)* };
    };
}

strings! {
    document_title: "memnun · dashboard", "memnun · yönetim paneli";
    other_language: "Türkçe", "English";
    skip_to_content: "Skip to content", "İçeriğe geç";
    navigation: "Dashboard pages", "Panel sayfaları";
    sign_in_title: "Sign in to your shop", "Mağazanıza giriş yapın";
    sign_in_intro: "Use one of your shop's API keys. It stays in this tab only and is forgotten when you sign out or close the tab.", "Mağazanızın API anahtarlarından birini kullanın. Anahtar yalnızca bu sekmede tutulur; çıkış yaptığınızda ya da sekmeyi kapattığınızda unutulur.";
    api_key: "API key", "API anahtarı";
    api_key_help: "It starts with mk_. cargo xtask shop create prints one; you can make more under /v1/admin/keys.", "mk_ ile başlar. cargo xtask shop create bir tane yazdırır; /v1/admin/keys ile yenilerini oluşturabilirsiniz.";
    sign_in: "Sign in", "Giriş yap";
    checking: "Checking…", "Denetleniyor…";
    key_required: "Enter your API key.", "API anahtarınızı girin.";
    key_wrong: "This key is not valid: check it and try again.", "Bu anahtar geçerli değil: denetleyip yeniden deneyin.";
    key_expired: "Your key no longer works (revoked?). Sign in again.", "Anahtarınız artık çalışmıyor (iptal mi edildi?). Yeniden giriş yapın.";
    network_failed: "The edge did not answer. Check your connection and try again.", "Sunucu yanıt vermedi. Bağlantınızı denetleyip yeniden deneyin.";
    signed_in: "Signed in.", "Giriş yapıldı.";
    signed_out: "Signed out.", "Çıkış yapıldı.";
    key_malformed: "An API key has only letters, digits, _ and -: check what was pasted.", "API anahtarında yalnızca harf, rakam, _ ve - bulunur: yapıştırılanı denetleyin.";
    confirm_no_origins: "With no allowed origin, no widget on your shop can send anything. Save anyway?", "İzin verilen köken olmazsa mağazanızdaki hiçbir bileşen bir şey gönderemez. Yine de kaydedilsin mi?";
    not_loaded: "The current settings did not load, so saving could overwrite them. Reload the page first.", "Geçerli ayarlar yüklenemedi; kaydetmek onların üzerine yazabilir. Önce sayfayı yenileyin.";
    whole_number: "{}: write a whole number.", "{}: bir tam sayı yazın.";
    webhook_save: "Save and issue a new secret", "Kaydet ve yeni anahtar üret";
    sign_out: "Sign out", "Çıkış yap";
    page_overview: "Overview", "Genel bakış";
    page_reviews: "Reviews", "Yorumlar";
    page_satisfaction: "Satisfaction", "Memnuniyet";
    page_orders: "Orders", "Siparişler";
    page_cases: "Cases", "Vakalar";
    page_questions: "Questions", "Sorular";
    questions_shown: "Questions shown: {}.", "Gösterilen soru: {}.";
    no_questions: "No questions match.", "Eşleşen soru yok.";
    question_waiting: "Waiting for an answer", "Yanıt bekliyor";
    question_answered: "Answered and shown", "Yanıtlandı, gösteriliyor";
    question_notify: "wants the answer by email", "yanıtı e-postayla istiyor";
    question_helpful: "{} found the answer helpful", "{} kişi yanıtı yararlı buldu";
    answer: "Answer", "Yanıtla";
    reject_question: "Reject (never shown)", "Reddet (hiç gösterilmez)";
    edit_answer: "Edit answer", "Yanıtı düzenle";
    your_answer: "Your public answer", "Herkese açık yanıtınız";
    save_answer: "Publish answer", "Yanıtı yayımla";
    answer_saved: "Answer published.", "Yanıt yayımlandı.";
    take_questions: "Take shoppers' questions on product pages (shown once you answer them)", "Ürün sayfalarında alışverişçilerin sorularını al (yanıtladığınızda gösterilir)";
    page_recommendations: "Recommendations", "Öneriler";
    page_settings: "Settings", "Ayarlar";
    loading: "Loading…", "Yükleniyor…";
    show_more: "Show more", "Daha fazla göster";
    show: "Show", "Göster";
    from: "From", "Başlangıç";
    to: "To", "Bitiş";
    save: "Save", "Kaydet";
    saved: "Saved.", "Kaydedildi.";
    remove: "Remove", "Kaldır";
    search: "Search", "Ara";
    search_button: "Search", "Ara";
    product: "Product", "Ürün";
    status: "Status", "Durum";
    status_pending: "Waiting for moderation", "Onay bekliyor";
    status_published: "Published", "Yayında";
    status_rejected: "Rejected", "Reddedildi";
    status_all: "All", "Tümü";
    photos_waiting: "With photos waiting for moderation", "Onay bekleyen fotoğrafı olan";
    photos_of_review: "Photos", "Fotoğraflar";
    photo_alt: "Photo {} of the review", "Yorumun {}. fotoğrafı";
    photo_thumbnail_alt: "Photo {} as the list shows it (its thumbnail)", "{}. fotoğraf listede göründüğü gibi (küçük hâli)";
    photo_not_copied: "Photo {}: not copied yet", "{}. fotoğraf: henüz kopyalanmadı";
    approve_photo: "Publish photo {}", "{}. fotoğrafı yayımla";
    reject_photo: "Reject photo {}", "{}. fotoğrafı reddet";
    photo_approved: "Photo published.", "Fotoğraf yayımlandı.";
    photo_rejected: "Photo rejected and deleted.", "Fotoğraf reddedildi ve silindi.";
    publish_photos: "Publish shoppers' photos without moderation (still only with a published review)", "Alışverişçilerin fotoğraflarını onaysız yayımla (yine yalnızca yayımlanan yorumla)";
    reviews_shown: "Reviews shown: {}.", "Gösterilen yorum: {}.";
    no_reviews: "No reviews match.", "Eşleşen yorum yok.";
    bulk_actions: "Actions on the selected reviews", "Seçili yorumlar için işlemler";
    select_all: "Select all shown", "Gösterilenlerin tümünü seç";
    selected_count: "Selected: {}", "Seçili: {}";
    select_first: "Select at least one review first.", "Önce en az bir yorum seçin.";
    approve_selected: "Approve selected", "Seçilenleri onayla";
    reject_selected: "Reject selected", "Seçilenleri reddet";
    reject_reason: "Reason for rejecting", "Ret gerekçesi";
    reason_required: "Write why the review is rejected: it goes into the moderation log.", "Yorumun neden reddedildiğini yazın: moderasyon kaydına girer.";
    bulk_done: "{} done, {} failed.", "{} tamamlandı, {} başarısız.";
    stars_label: "{} of 5 stars", "5 üzerinden {} yıldız";
    no_title: "(no title)", "(başlıksız)";
    verified_buyer: "Verified buyer", "Doğrulanmış alıcı";
    reports_count: "Reports: {}", "Şikâyet: {}";
    hold_all: "held: all reviews are read first", "bekletildi: tüm yorumlar önce okunuyor";
    hold_low_rating: "held: low rating", "bekletildi: düşük puan";
    hold_blocked_word: "held: blocked word", "bekletildi: yasaklı sözcük";
    hold_duplicate: "held: duplicate", "bekletildi: yinelenen yorum";
    hold_reported: "held: reported by shoppers", "bekletildi: alışverişçiler şikâyet etti";
    approve: "Approve", "Onayla";
    approved: "Review approved and published.", "Yorum onaylandı ve yayımlandı.";
    reject: "Reject…", "Reddet…";
    confirm_reject: "Reject", "Reddet";
    rejected: "Review rejected.", "Yorum reddedildi.";
    reply: "Reply", "Yanıtla";
    edit_reply: "Edit reply", "Yanıtı düzenle";
    your_reply: "Your public reply", "Herkese açık yanıtınız";
    save_reply: "Publish reply", "Yanıtı yayımla";
    remove_reply: "Remove reply", "Yanıtı kaldır";
    reply_saved: "Reply published.", "Yanıt yayımlandı.";
    reply_removed: "Reply removed.", "Yanıt kaldırıldı.";
    csv_heading: "Export and import (CSV)", "Dışa ve içe aktarma (CSV)";
    export_csv: "Download all reviews (CSV)", "Tüm yorumları indir (CSV)";
    exported: "Reviews downloaded.", "Yorumlar indirildi.";
    import_file: "CSV file to import (from memnun, Judge.me, Yotpo, Okendo or Shopify's review app)", "İçe aktarılacak CSV dosyası (memnun, Judge.me, Yotpo, Okendo veya Shopify'ın yorum uygulamasından)";
    import_read_as: "Read as an export of {}.", "{} dışa aktarımı olarak okundu.";
    import_csv: "Import", "İçe aktar";
    choose_file: "Choose a CSV file first.", "Önce bir CSV dosyası seçin.";
    import_result: "{} imported, {} already there, {} refused.", "{} içe aktarıldı, {} zaten vardı, {} reddedildi.";
    refused_rows: "Rows left out", "Alınmayan satırlar";
    photo_copies: "Photos from imports: {} waiting to be copied, {} copied, {} given up.", "İçe aktarılan fotoğraflar: {} kopyalanmayı bekliyor, {} kopyalandı, {} bırakıldı.";
    photo_problems: "Photos that could not be copied (yet)", "(Henüz) kopyalanamayan fotoğraflar";
    photo_address: "Address", "Adres";
    line: "Line", "Satır";
    problems: "Problems", "Sorunlar";
    figures: "The period's figures", "Dönemin rakamları";
    csat_name: "CSAT", "CSAT";
    ces_name: "CES", "CES";
    response_rate: "Response rate", "Yanıt oranı";
    delivered_count: "of {} delivered orders", "{} teslim edilen siparişten";
    answers_count: "Answered: {}", "Yanıt: {}";
    change_vs_before: "{} against the period before", "önceki döneme göre {}";
    no_change: "no answers to compare with", "karşılaştırılacak yanıt yok";
    report_loaded: "Report loaded.", "Rapor yüklendi.";
    weekly_trend: "Weekly trend", "Haftalık eğilim";
    trend_chart_title: "NPS and CSAT per week, from −100 to 100", "Haftalara göre NPS ve CSAT, −100 ile 100 arası";
    trend_table_caption: "The figures of each week", "Her haftanın rakamları";
    week_of: "Week of", "Hafta başı";
    delivered: "Delivered", "Teslim edilen";
    responses: "Answered", "Yanıtlanan";
    reasons_heading: "Follow-up reasons", "Takip nedenleri";
    topics_heading: "Comment topics", "Görüş konuları";
    none_named: "None in this period.", "Bu dönemde yok.";
    detractors: "Detractors (0–6)", "Eleştirenler (0–6)";
    passives: "Passives (7–8)", "Pasifler (7–8)";
    promoters: "Promoters (9–10)", "Destekleyenler (9–10)";
    reason_delivery_time: "Delivery time", "Teslim süresi";
    reason_packaging: "Packaging", "Paketleme";
    reason_product_quality: "Product quality", "Ürün kalitesi";
    reason_description: "Matched the description", "Açıklamaya uygunluk";
    reason_price: "Price", "Fiyat";
    reason_customer_service: "Customer service", "Müşteri hizmetleri";
    reason_other: "Other", "Diğer";
    answers_for: "Answers: {}", "Yanıtlar: {}";
    answers_shown: "Answers shown: {}.", "Gösterilen yanıt: {}.";
    follow_up_label: "Why", "Neden";
    comment_label: "Comment", "Ek görüş";
    no_answers: "No answers.", "Yanıt yok.";
    order_number: "Order {}", "Sipariş {}";
    recent_orders: "Recent orders", "Son siparişler";
    order_search: "Order number or id", "Sipariş numarası ya da kimliği";
    number: "Number", "Numara";
    placed: "Placed", "Verildiği tarih";
    state: "Where it is", "Durumu";
    shipments: "Shipments", "Gönderiler";
    last_event: "Last news", "Son haber";
    no_orders: "No orders match.", "Eşleşen sipariş yok.";
    needs_attention: "Shipments that need you", "İlgilenmeniz gereken gönderiler";
    stale_after_days: "No news for at least (days)", "En az şu kadar gündür haber yok (gün)";
    reason_exception: "Exception", "Sorun bildirildi";
    reason_stale: "No news for {}+ days", "{}+ gündür haber yok";
    last_activity: "last news {}", "son haber {}";
    nothing_needs_attention: "Nothing needs you: every shipment is moving.", "İlgilenmeniz gereken bir şey yok: tüm gönderiler yolunda.";
    st_ordered: "Ordered", "Sipariş alındı";
    st_confirmed: "Confirmed", "Onaylandı";
    st_packed: "Packed", "Paketlendi";
    st_shipped: "Shipped", "Kargoya verildi";
    st_in_transit: "In transit", "Yolda";
    st_out_for_delivery: "Out for delivery", "Dağıtımda";
    st_attempt_failed: "Delivery attempt failed", "Teslim denemesi başarısız";
    st_pickup: "Ready for pickup", "Teslim noktasında";
    st_delivered: "Delivered", "Teslim edildi";
    st_exception: "Exception", "Sorun";
    st_delayed: "Delayed", "Gecikti";
    st_returned: "Returned", "İade edildi";
    st_cancelled: "Cancelled", "İptal edildi";
    total: "Total", "Toplam";
    by_source: "By source", "Kaynağa göre";
    source: "Source", "Kaynak";
    by_arm: "The experiment, by arm", "Deney, gruba göre";
    arm: "Arm {}", "{} grubu";
    arm_column: "Arm", "Grup";
    top_products: "Products most shown", "En çok gösterilen ürünler";
    impressions: "Impressions", "Gösterim";
    clicks: "Clicks", "Tıklama";
    add_to_carts: "Added to cart", "Sepete eklenen";
    purchases: "Purchases", "Satın alma";
    no_impressions: "No recommendation was shown in this period.", "Bu dönemde hiç öneri gösterilmedi.";
    src_bought_together: "Bought together", "Birlikte alınanlar";
    src_viewed_together: "Viewed together", "Birlikte bakılanlar";
    src_top_rated: "Top rated", "En beğenilenler";
    src_bestseller: "Bestsellers", "Çok satanlar";
    src_newest: "Newest", "En yeniler";
    src_recently_viewed: "Recently viewed", "Son bakılanlar";
    embed_heading: "Embed on your shop", "Mağazanıza ekleyin";
    embed_help: "Paste the script once on every page; put a placeholder where each widget goes.", "Betiği her sayfaya bir kez yapıştırın; her bileşenin duracağı yere bir yer tutucu koyun.";
    copy: "Copy", "Kopyala";
    copied: "Copied", "Kopyalandı";
    moderation_heading: "Moderation", "Moderasyon";
    moderation_mode: "New reviews", "Yeni yorumlar";
    mode_publish: "Publish at once", "Hemen yayımla";
    mode_hold_low: "Hold low ratings for me", "Düşük puanlıları bana beklet";
    mode_hold_all: "Hold every review for me", "Tüm yorumları bana beklet";
    hold_at_or_below: "Hold at or below (stars)", "Şu puan ve altını beklet (yıldız)";
    report_threshold: "Hold after this many reports", "Bu kadar şikâyetten sonra beklet";
    block_list: "Blocked words and phrases (one per line)", "Yasaklı sözcük ve ifadeler (her satıra bir tane)";
    block_list_help: "A review containing one waits for you, whatever the mode.", "Bunlardan birini içeren yorum, hangi mod seçili olursa olsun sizi bekler.";
    use_default_block_list: "Also use memnun's Turkish and English lists", "memnun'un Türkçe ve İngilizce listelerini de kullan";
    notice_tr: "How reviews are checked (Turkish)", "Yorumlar nasıl denetleniyor (Türkçe)";
    notice_en: "How reviews are checked (English)", "Yorumlar nasıl denetleniyor (İngilizce)";
    survey_heading: "Post-delivery survey", "Teslimat sonrası anket";
    questions_asked: "Questions asked", "Sorulan sorular";
    q_nps: "Would you recommend us (NPS, 0–10)", "Bizi önerir misiniz (NPS, 0–10)";
    q_follow_up: "Why (follow-up reasons)", "Neden (takip nedenleri)";
    q_csat: "Satisfaction with the delivery (CSAT, 1–5)", "Teslimattan memnuniyet (CSAT, 1–5)";
    q_ces: "How easy it was (CES, 1–7)", "Ne kadar kolaydı (CES, 1–7)";
    q_comment: "A comment", "Ek görüş";
    cooldown_days: "Ask the same shopper again after (days)", "Aynı alışverişçiye yeniden sorma süresi (gün)";
    shop_heading: "Shop", "Mağaza";
    allowed_origins: "Allowed origins (one per line)", "İzin verilen kökenler (her satıra bir tane)";
    allowed_origins_help: "Pages on these origins may send reviews and answers, e.g. https://shop.example.", "Bu kökenlerdeki sayfalar yorum ve yanıt gönderebilir, örneğin https://magaza.example.";
    tracker_page: "Order tracking page", "Sipariş takip sayfası";
    survey_page: "Survey page", "Anket sayfası";
    product_page: "Product page ({product} for the id)", "Ürün sayfası (kimlik yerine {product})";
    connect_heading: "Connect {}", "{} bağla";
    connect_shopify_steps: "In Shopify's admin: Settings → Notifications → Webhooks → Create webhook. Format JSON, the URL below, one webhook for each topic below. Then paste the key Shopify shows under \"Your webhooks will be signed with\" here.", "Shopify yönetim panelinde: Ayarlar → Bildirimler → Webhook'lar → Webhook oluştur. Biçim JSON, aşağıdaki adres, aşağıdaki her konu için bir webhook. Sonra Shopify'ın \"Webhook'larınız şununla imzalanacak\" altında gösterdiği anahtarı buraya yapıştırın.";
    connect_woocommerce_steps: "In WordPress: WooCommerce → Settings → Advanced → Webhooks → Add webhook. Status Active, the URL below, API version WP REST API v3, one webhook for each topic below, each with the same secret you type here (at least 16 characters).", "WordPress'te: WooCommerce → Ayarlar → Gelişmiş → Webhook'lar → Webhook ekle. Durum Etkin, aşağıdaki adres, API sürümü WP REST API v3, aşağıdaki her konu için bir webhook; hepsinde buraya yazdığınız aynı gizli anahtar (en az 16 karakter).";
    connector_url: "Delivery URL", "Teslim adresi";
    connector_topics: "Topics", "Konular";
    connector_connected: "Connected since {}.", "{} tarihinden beri bağlı.";
    connector_signature_refused: "A request came at {} that this secret does not sign. If the platform's deliveries stopped arriving, the secret here is not the one it signs with.", "{} tarihinde bu anahtarın imzalamadığı bir istek geldi. Platformun teslimatları gelmez olduysa buradaki anahtar onun imzaladığı anahtar değil.";
    connector_secret: "Signing secret", "İmzalama anahtarı";
    outreach_heading: "Messages to shoppers", "Alışverişçilere mesajlar";
    outreach_help: "memnun emails your shoppers itself, through your email provider and from your own domain: a review request a few days after delivery with one reminder, a survey invitation, and the shipment notices you turn on. The README (Sending messages) shows the DNS records your provider asks for.", "memnun alışverişçilerinize sizin e-posta sağlayıcınız üzerinden ve kendi alan adınızdan kendisi yazar: teslimattan birkaç gün sonra bir hatırlatmalı değerlendirme isteği, anket daveti ve açtığınız kargo bildirimleri. Sağlayıcınızın istediği DNS kayıtları README'de (Sending messages).";
    outreach_sending: "Send messages", "Mesaj gönder";
    outreach_provider: "Email provider", "E-posta sağlayıcısı";
    outreach_api_key: "Provider API key", "Sağlayıcının API anahtarı";
    outreach_key_set: "A key is set ({}). Leave the field empty to keep it.", "Bir anahtar kayıtlı ({}). Korumak için alanı boş bırakın.";
    outreach_webhook_secret: "Bounce and complaint webhook secret", "Geri dönen ve şikâyet webhook'u anahtarı";
    outreach_secret_set: "A webhook secret is set. Leave the field empty to keep it.", "Bir webhook anahtarı kayıtlı. Korumak için alanı boş bırakın.";
    outreach_sender: "Sender (Name <address> on your verified domain)", "Gönderen (Ad <doğrulanmış alan adınızda adres>)";
    outreach_reply_to: "Reply-to address", "Yanıt adresi";
    outreach_locale: "Language when the order names none", "Sipariş belirtmediğinde dil";
    outreach_time_zone: "Time zone (e.g. Europe/Istanbul)", "Saat dilimi (ör. Europe/Istanbul)";
    outreach_quiet_from: "Quiet hours from (0–23)", "Sessiz saatler başlangıcı (0–23)";
    outreach_quiet_to: "Quiet hours until (0–23)", "Sessiz saatler bitişi (0–23)";
    outreach_cap: "At most one message per shopper in (days)", "Bir alışverişçiye en fazla bir mesaj (gün)";
    outreach_review_on: "Ask for reviews after delivery", "Teslimattan sonra değerlendirme iste";
    outreach_review_days: "Days after delivery", "Teslimattan sonra gün";
    outreach_reminder_days: "Reminder after (days; 0 for none)", "Hatırlatma (gün; 0: yok)";
    outreach_placeholders: "Your own subject and opening line, if you want them: {shop} and {order} stand for your shop's name and the order number. Empty fields use memnun's words.", "İsterseniz kendi konu ve giriş cümleniz: {shop} mağazanızın adı, {order} sipariş numarası yerine geçer. Boş alanlarda memnun'un sözleri kullanılır.";
    outreach_subject: "Subject", "Konu";
    outreach_opening: "Opening line", "Giriş cümlesi";
    outreach_preview: "Preview", "Önizleme";
    outreach_report_heading: "What was sent", "Gönderilenler";
    outreach_kind: "Message", "Mesaj";
    outreach_kind_request: "Review request", "Değerlendirme isteği";
    outreach_kind_reminder: "Reminder", "Hatırlatma";
    outreach_kind_survey: "Survey invitation", "Anket daveti";
    outreach_kind_shipped: "Shipped", "Kargoya verildi";
    outreach_kind_out_for_delivery: "Out for delivery", "Dağıtımda";
    outreach_kind_delayed: "Delayed or held", "Gecikme veya sorun";
    outreach_kind_delivered: "Delivered", "Teslim edildi";
    outreach_kind_reply: "Reply to a review", "Değerlendirmeye yanıt";
    outreach_kind_answer: "Answer to a question", "Soruya yanıt";
    outreach_kind_case_answer: "Answer to a case", "Kayda yanıt";
    outreach_kind_digest: "Weekly digest", "Haftalık özet";
    outreach_digest_on: "Send me a weekly digest on Monday mornings", "Pazartesi sabahları bana haftalık özet gönder";
    outreach_digest_to: "Digest to (your address)", "Özetin gideceği adres";
    outreach_reply_on: "Tell a review's author when you reply (if they left an email)", "Yanıt verdiğinizde değerlendirme sahibine haber ver (e-posta bıraktıysa)";
    outreach_answer_on: "Tell a question's author when you answer (if they left an email)", "Yanıtladığınızda soru sahibine haber ver (e-posta bıraktıysa)";
    outreach_survey_on: "Invite to the survey after delivery (when the survey page is set)", "Teslimattan sonra ankete davet et (anket sayfası tanımlıysa)";
    outreach_survey_days: "Survey invitation after (days)", "Anket daveti kaç gün sonra";
    outreach_shipments: "Shipment notices (your shop platform may send its own: turn on only those it does not)", "Kargo bildirimleri (mağaza altyapınız kendi bildirimlerini gönderiyor olabilir: yalnızca göndermediklerini açın)";
    outreach_scheduled: "Scheduled", "Planlandı";
    outreach_sent: "Sent", "Gönderildi";
    outreach_failed: "Failed", "Başarısız";
    outreach_skipped: "Skipped", "Atlandı";
    outreach_reviewed: "Became a review within 14 days", "14 gün içinde değerlendirmeye dönüştü";
    outreach_suppressed: "No more messages to: {} unsubscribed, {} bounced, {} complained.", "Artık mesaj gitmeyecek: {} abonelikten çıktı, {} geri döndü, {} şikâyet etti.";
    outreach_latest: "Latest messages", "Son mesajlar";
    outreach_none: "Nothing sent yet.", "Henüz bir şey gönderilmedi.";
    connector_currency: "Currency of the prices (e.g. TRY)", "Fiyatların para birimi (ör. TRY)";
    connector_locale: "Language of the product names", "Ürün adlarının dili";
    connector_replace: "Save the new secret", "Yeni anahtarı kaydet";
    connector_disconnect: "Disconnect", "Bağlantıyı kes";
    connector_confirm_disconnect: "Disconnect? Its webhooks are refused from now on; what arrived stays.", "Bağlantı kesilsin mi? Webhook'ları bundan sonra reddedilir; gelenler kalır.";
    connector_disconnected: "Disconnected.", "Bağlantı kesildi.";
    connector_no_deliveries: "No delivery has arrived yet.", "Henüz teslimat gelmedi.";
    connector_deliveries: "Latest deliveries", "Son teslimatlar";
    connector_received: "Received", "Alındı";
    connector_topic: "Topic", "Konu";
    connector_outcome: "Result", "Sonuç";
    connector_detail: "Detail", "Ayrıntı";
    outcome_applied: "Stored", "Kaydedildi";
    outcome_stale: "Older than what is stored", "Kayıtlıdan eski";
    outcome_ignored: "Not read", "Okunmadı";
    outcome_duplicate: "Received before", "Daha önce alındı";
    outcome_erased: "Erased at the shopper's request", "Alışverişçinin isteğiyle silinmiş";
    outcome_refused: "Refused", "Reddedildi";
    outcome_retry: "Waiting for the order", "Siparişi bekliyor";
    webhook_heading: "Webhook", "Webhook";
    webhook_help: "memnun POSTs signed events (order delivered, detractor, review held…) to this URL.", "memnun imzalı olayları (sipariş teslim edildi, eleştiren, yorum bekletildi…) bu adrese POST eder.";
    webhook_url: "Webhook URL", "Webhook adresi";
    webhook_secret_once: "Signing secret (shown only now, keep it):", "İmzalama anahtarı (yalnızca şimdi gösteriliyor, saklayın):";
    webhook_removed: "Webhook removed.", "Webhook kaldırıldı.";
    event_retention_days: "Keep shoppers' browsing events for (days, 30–1095)", "Alışverişçilerin gezinme olaylarını saklama süresi (gün, 30–1095)";
    shopper_heading: "A shopper's data", "Bir alışverişçinin verileri";
    shopper_help: "For a shopper's access or erasure request (KVKK, GDPR): their email, or a browser id from their browser's storage.", "Bir alışverişçinin erişim ya da silme talebi için (KVKK, GDPR): e-postası ya da tarayıcısının belleğindeki tarayıcı kimliği.";
    shopper_who: "Email or browser id", "E-posta ya da tarayıcı kimliği";
    shopper_export: "Download their data (JSON)", "Verilerini indir (JSON)";
    shopper_delete: "Delete their data", "Verilerini sil";
    shopper_confirm_delete: "Delete everything stored about this shopper? Reviews, orders, survey answers and events go for good.", "Bu alışverişçi hakkında saklanan her şey silinsin mi? Yorumlar, siparişler, anket yanıtları ve olaylar kalıcı olarak silinir.";
    shopper_exported: "Their data was downloaded.", "Verileri indirildi.";
    shopper_deleted: "Deleted: {reviews} reviews, {orders} orders, {survey} survey answers, {events} events, {views} product views, {votes} votes, {reports} reports.", "Silindi: {reviews} yorum, {orders} sipariş, {survey} anket yanıtı, {events} olay, {views} ürün görüntüleme, {votes} oy, {reports} bildirim.";
    case_queue: "The queue", "Sıra";
    case_unresolved: "Not resolved", "Çözülmemiş";
    case_open: "Open", "Açık";
    case_waiting: "Waiting for the shopper", "Müşteri bekleniyor";
    case_resolved: "Resolved", "Çözüldü";
    cause: "Cause", "Neden";
    all: "All", "Tümü";
    owner: "Owner", "Sorumlu";
    overdue: "Past the target", "Hedef süre geçti";
    signals: "{} signals", "{} sinyal";
    no_cases: "No cases here.", "Burada vaka yok.";
    cause_survey: "Unhappy survey answer", "Memnuniyetsiz anket yanıtı";
    cause_review: "Low review", "Düşük puanlı değerlendirme";
    cause_report: "Reported review", "Bildirilen değerlendirme";
    cause_shipment: "Shipment in trouble", "Sorunlu kargo";
    cause_complaint: "Complaint from the tracker", "Takip sayfasından şikâyet";
    res_refunded: "Refunded", "İade edildi";
    res_replaced: "Replaced", "Değiştirildi";
    res_reshipped: "Sent again", "Yeniden gönderildi";
    res_explained: "Explained", "Açıklandı";
    res_no_action: "Nothing to do", "İşlem gerekmedi";
    res_other: "Other", "Diğer";
    act_opened: "Opened", "Açıldı";
    act_signal: "Another signal", "Yeni sinyal";
    act_state: "State changed", "Durum değişti";
    act_owner: "Owner changed", "Sorumlu değişti";
    act_note: "Note", "Not";
    act_answer: "Answer to the shopper", "Müşteriye yanıt";
    act_resolved: "Resolved", "Çözüldü";
    opened: "Opened", "Açıldı";
    first_response: "First response", "İlk yanıt";
    resolved_at: "Resolved", "Çözüldü";
    shopper_address: "Shopper's address", "Müşterinin adresi";
    address_not_kept: "Not kept any more: find it in your shop's order.", "Artık saklanmıyor: mağazanızdaki siparişte bulabilirsiniz.";
    resolution: "Resolution", "Çözüm";
    history: "History", "Geçmiş";
    email_state: "Email", "E-posta";
    answer_shopper: "Answer the shopper", "Müşteriye yanıt verin";
    answer_by_email: "Send by email", "E-postayla gönder";
    answer_no_email: "No email can go (sending off, or no address): the answer is kept in the history.", "E-posta gönderilemez (gönderim kapalı ya da adres yok): yanıt geçmişte saklanır.";
    answer_as_reply: "Also publish it as the review's reply", "Değerlendirmenin yanıtı olarak da yayımla";
    send_answer: "Send the answer", "Yanıtı gönder";
    internal_note: "Internal note (the shopper never sees it)", "İç not (müşteri görmez)";
    add_note: "Add the note", "Notu ekle";
    mark_waiting: "Waiting for the shopper", "Müşteri bekleniyor olarak işaretle";
    reopen: "Open again", "Yeniden aç";
    change_resolution: "Change the resolution", "Çözümü değiştir";
    resolve: "Resolve", "Çöz";
    resolution_category: "How it ended", "Nasıl sonuçlandı";
    resolution_text: "What was done (optional)", "Ne yapıldı (isteğe bağlı)";
    close_case_view: "Close this case's view", "Vaka görünümünü kapat";
    respond_by: "Respond by {}", "Yanıt için son: {}";
    response_times: "Response times", "Yanıt süreleri";
    target_hours: "First response within (hours)", "İlk yanıt süresi hedefi (saat)";
    stuck_after_days: "A parcel is stuck after (days without news)", "Kargo şu kadar gün haber yoksa takıldı sayılır";
    response_times_caption: "Cases opened per week, and how fast they were answered (target: {} h)", "Haftalara göre açılan vakalar ve ne kadar hızlı yanıtlandıkları (hedef: {} sa)";
    week: "Week", "Hafta";
    cases_opened: "Opened", "Açılan";
    cases_responded: "Responded", "Yanıtlanan";
    within_target: "Within the target", "Hedef süre içinde";
    cases_resolved: "Resolved", "Çözülen";
    median_first_response: "Median first response", "İlk yanıt (medyan)";
    median_resolution: "Median resolution", "Çözüm (medyan)";
    answer_sent: "Answer saved.", "Yanıt kaydedildi.";
    note_added: "Note added.", "Not eklendi.";
    case_resolved_said: "Case resolved.", "Vaka çözüldü.";
    hours_unit: "h", "sa";
    email_scheduled: "waiting to be sent", "gönderilmeyi bekliyor";
    email_sent: "sent", "gönderildi";
    email_failed: "failed", "gönderilemedi";
    email_skipped: "not sent", "gönderilmedi";
    interval: "Cut by", "Dönem";
    by_week: "Week", "Hafta";
    by_month: "Month", "Ay";
    currency: "Currency", "Para birimi";
    orders_name: "Orders", "Siparişler";
    revenue: "Revenue", "Ciro";
    average_basket: "Average basket", "Ortalama sepet";
    first_time_buyers: "New buyers", "Yeni alıcılar";
    repeat_within: "Came back within {} days", "{} gün içinde yeniden alan";
    conversion: "Conversion", "Dönüşüm";
    cart_abandonment: "Cart abandonment", "Sepet terki";
    change_pct_vs_before: "{} % against the period before", "önceki döneme göre %{}";
    change_pts_vs_before: "{} points against the period before", "önceki döneme göre {} puan";
    nothing_before: "nothing to compare with", "karşılaştırılacak veri yok";
    refunded_note: "{} refunded, not counted", "{} iade edildi, sayılmadı";
    priced_note: "of {} priced orders", "{} fiyatlı siparişte";
    eligible_note: "of {} buyers old enough", "yeterince eski {} alıcıdan";
    visits_note: "of {} visits", "{} ziyaretten";
    carts_note: "of {} carts", "{} sepetten";
    sales_trend: "Revenue and orders", "Ciro ve siparişler";
    sales_chart_title: "Revenue and average basket per period, in {}", "Dönemlere göre ciro ve ortalama sepet ({})";
    sales_table_caption: "The figures of each period", "Her dönemin rakamları";
    period_of: "Period from", "Dönem başı";
    visits: "Visits", "Ziyaretler";
    conversion_chart_title: "Conversion and cart abandonment per period, in %", "Dönemlere göre dönüşüm ve sepet terki (%)";
    repeat_heading: "Repeat purchases", "Yeniden alışveriş";
    repeat_caption: "New buyers of the period who ordered again", "Dönemin yeni alıcılarından yeniden sipariş verenler";
    window_days: "Within", "Süre";
    days_count: "{} days", "{} gün";
    eligible: "Old enough", "Yeterince eski";
    repeated: "Ordered again", "Yeniden aldı";
    rate: "Rate", "Oran";
    second_order_median: "Median time to the second order: {} days ({} buyers).", "İkinci siparişe kadar geçen süre (medyan): {} gün ({} alıcı).";
    no_second_orders: "No new buyer of this period has ordered again yet.", "Bu dönemin yeni alıcılarından henüz yeniden sipariş veren yok.";
    cohorts_heading: "Lifetime value by first month", "İlk aya göre müşteri yaşam boyu değeri";
    cohorts_caption: "Revenue per buyer so far, by the month of their first order and the months since", "İlk sipariş ayına ve sonraki aylara göre alıcı başına toplam ciro";
    cohort: "First order", "İlk sipariş";
    buyers: "Buyers", "Alıcılar";
    month_n: "Month {}", "{}. ay";
    products_heading: "Conversion per product", "Ürünlere göre dönüşüm";
    products_caption: "Visits that viewed the product, and those that bought it within a day", "Ürünü görüntüleyen ziyaretler ve bir gün içinde satın alanlar";
    converted: "Bought", "Satın alan";
    consent_note: "Conversion and abandonment count only the shoppers who agreed to be counted, and only once a day (a cart: three days) has passed.", "Dönüşüm ve sepet terki yalnızca sayılmayı kabul eden alışverişçileri, bir gün (sepette üç gün) geçtikten sonra sayar.";
    outcome_heading: "Satisfaction against outcome", "Memnuniyet ve sonuç";
    nps_repeat_caption: "Survey answers by NPS group, and how many of those shoppers ordered again", "NPS grubuna göre anket yanıtları ve bu alışverişçilerden yeniden sipariş verenler";
    group: "Group", "Grup";
    answered: "Answered", "Yanıtlayan";
    carriers_caption: "Orders delivered in the period by carrier: delivery time, CSAT and review stars", "Dönemde teslim edilen siparişler, kargo firmasına göre: teslim süresi, CSAT ve yorum puanı";
    carrier: "Carrier", "Kargo firması";
    lead_time: "Median placed → delivered", "Sipariş → teslim (medyan)";
    reviews_count: "Reviews", "Yorumlar";
    stars: "Stars", "Yıldız";
    download_csv: "Download this table (CSV)", "Bu tabloyu indir (CSV)";
    table_downloaded: "Table downloaded.", "Tablo indirildi.";
}
