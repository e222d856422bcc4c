//! The consent notice a learner agrees to (Decree 13/2023/NĐ-CP; Personal Data Protection Law 2025).
//! Silence is not consent: every learner record keeps the version agreed to and when.
use crate::i18n::Lang;

/// Bump the version whenever the text changes; records keep the version they agreed to.
pub const CONSENT_VERSION: &str = "2026-11";

/// The notice: purpose, what is kept, how long, who sees it.
pub fn notice(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => {
            "Mục đích: theo dõi việc học các khoá kỹ năng số của phong trào \"Bình dân học vụ số\" và báo cáo số liệu tổng hợp. \
             Dữ liệu lưu: họ tên, ngày sinh, giới tính, số điện thoại, xã/phường, cơ quan, đội hình và kết quả học tập. \
             Thời hạn: đến khi kết thúc chiến dịch hoặc khi bạn rút lại đồng ý, khi đó dữ liệu cá nhân được xoá, chỉ giữ số liệu ẩn danh. \
             Người được xem: người tổ chức phụ trách xã/phường, cơ quan của bạn và ban chỉ đạo; báo cáo chỉ dùng số liệu tổng hợp."
        }
        Lang::En => {
            "Purpose: following progress in the digital-skills courses of the \"Digital Mass Literacy\" movement and reporting aggregate figures. \
             Kept: full name, birth date, gender, phone number, commune, organisation, team and course results. \
             For how long: until the campaign ends or you withdraw consent; your personal data is then erased and only anonymous counts remain. \
             Who sees it: the organisers responsible for your commune or organisation and the steering committee; reports use aggregate figures only."
        }
    }
}
