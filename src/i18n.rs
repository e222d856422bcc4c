//! The one i18n mechanism: every text a person reads is a `Text`, translated by `Lang::t`.
//! Vietnamese first; English beside it. Numbers are written the way each language writes them.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// "vi", "en", or an Accept-Language-like "en-GB"; anything else is Vietnamese.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Vi }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn t(self, text: Text) -> &'static str {
        let (vi, en) = text.pair();
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A count with thousands grouped: 7.678 in Vietnamese, 7,678 in English.
    pub fn count(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let separator = match self {
            Lang::Vi => '.',
            Lang::En => ',',
        };
        let mut out = String::new();
        if n < 0 {
            out.push('-');
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A percentage from tenths: 760 → "76,0%" in Vietnamese, "76.0%" in English; None → "–".
    pub fn percent(self, tenths: Option<i64>) -> String {
        let Some(tenths) = tenths else { return "–".to_string() };
        let point = match self {
            Lang::Vi => ',',
            Lang::En => '.',
        };
        format!("{}{}{}%", self.count(tenths / 10), point, (tenths % 10).abs())
    }
}

macro_rules! texts {
    ($($name:ident => $vi:literal, $en:literal;)*) => {
        /// Every fixed text of the interface and of error messages.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Text { $($name),* }

        impl Text {
            fn pair(self) -> (&'static str, &'static str) {
                match self { $(Text::$name => ($vi, $en)),* }
            }
        }
    };
}

texts! {
    AppName => "Bình dân học vụ số", "Digital Mass Literacy";
    AppTagline => "Theo dõi tiến độ học tập", "Learning progress tracker";
    Overview => "Tổng quan", "Overview";
    Enrolments => "Lượt đăng ký học", "Enrolments";
    Completions => "Lượt hoàn thành", "Completions";
    CompletionRate => "Tỷ lệ hoàn thành", "Completion rate";
    Learners => "Học viên", "Learners";
    Teams => "Đội hình", "Teams";
    Commune => "Xã/Phường", "Commune";
    CommunesByRate => "Xã/phường theo tỷ lệ hoàn thành", "Communes by completion rate";
    Rank => "Hạng", "Rank";
    DemoData => "Dữ liệu minh hoạ, tên người là giả định.", "Demo data: names are synthetic.";
    Loading => "Đang tải…", "Loading…";
    SwitchLanguage => "English", "Tiếng Việt";
    NotFound => "Không tìm thấy.", "Not found.";
    InvalidInput => "Dữ liệu chưa hợp lệ.", "Some input is not valid.";
    Conflict => "Dữ liệu đã tồn tại.", "This already exists.";
    Unauthorized => "Vui lòng đăng nhập.", "Please sign in.";
    Forbidden => "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.";
    Unavailable => "Hệ thống tạm thời không phục vụ được, vui lòng thử lại sau ít phút.", "The service is briefly unavailable; please try again in a few minutes.";
    Internal => "Đã có lỗi xảy ra. Vui lòng thử lại.", "Something went wrong. Please try again.";
    NoData => "Chưa có số liệu.", "No figures yet.";
    BadCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.";
    RateLimited => "Đã thử quá nhiều lần. Vui lòng đợi ít phút rồi thử lại.", "Too many attempts. Please wait a few minutes and try again.";
    UnknownCommune => "Không có xã/phường này.", "No such commune.";
    UnknownProvince => "Không có tỉnh/thành phố này.", "No such province.";
    CommuneAmbiguous => "Nhiều tỉnh/thành phố có xã/phường mang tên này: hãy ghi mã xã/phường, hoặc ghi tỉnh/thành phố.", "Communes of this name exist in several provinces: give the commune code, or the province.";
    CommuneNotInProvince => "Xã/phường này không thuộc tỉnh/thành phố đã ghi.", "This commune is not in the province given.";
    ProvinceHint => "Tên hoặc mã tỉnh/thành phố của xã/phường; có thể để trống.", "The commune's province, by name or code; may be left empty.";
    WholeCountry => "Cả nước", "Whole country";
    Provinces => "Tỉnh, thành phố", "Provinces";
    ProvincesByRate => "Tỉnh/thành phố theo tỷ lệ hoàn thành", "Provinces by completion rate";
    Province => "Tỉnh/thành phố", "Province";
    Needed => "Còn thiếu", "Still needed";
    RoleProvinceAdmin => "Quản trị tỉnh", "Province admin";
    GroupCanBo => "Cán bộ, công chức, viên chức", "Cadres, civil servants and public employees";
    GroupHocSinh => "Học sinh, sinh viên", "Pupils and students";
    GroupNguoiDan => "Người dân", "Citizens";
    GroupNguoiLaoDong => "Người lao động trong doanh nghiệp", "Enterprise workers";
    LearnerGroupLabel => "Đối tượng", "Learner group";
    Unclassified => "Chưa phân loại", "Unclassified";
    LearnerGroupUnknown => "Đối tượng phải là một trong: cán bộ, học sinh, người dân, người lao động.", "The learner group must be one of: can_bo, hoc_sinh, nguoi_dan, nguoi_lao_dong.";
    Coverage => "Độ bao phủ", "Coverage";
    Population => "Dân số", "Population";
    Trained => "Người đã học xong", "Learners trained";
    PopulationUnitKind => "Loại đơn vị phải là province, commune hoặc organisation.", "The unit kind must be province, commune or organisation.";
    PopulationYear => "Năm không hợp lệ (2020–2100).", "Not a year (2020–2100).";
    PopulationValue => "Dân số phải là số nguyên dương.", "The population must be a positive whole number.";
    PopulationColumns => "Tệp cần các cột unit_kind, unit, group, year, population.", "The file needs the columns unit_kind, unit, group, year, population.";
    PopulationImport => "Nhập dân số từ tệp Excel/CSV", "Import population figures from Excel/CSV";
    PopulationTitle => "Dân số (mẫu số của độ bao phủ)", "Population (the denominator of coverage)";
    PlanIndicators => "Chỉ tiêu kế hoạch theo đối tượng", "Plan indicators by learner group";
    AllLearners => "Tổng số", "Everyone";
    Year => "Năm", "Year";
    PasswordTooShort => "Mật khẩu cần ít nhất 8 ký tự.", "The password needs at least 8 characters.";
    PasswordTooLong => "Mật khẩu quá dài (tối đa 128 ký tự).", "The password is too long (at most 128 characters).";
    PasswordTooCommon => "Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.", "This password is too common and easy to guess. Choose another.";
    UsernameInvalid => "Tên đăng nhập gồm 3–40 chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.", "A username is 3–40 letters without marks, digits, dots, hyphens or underscores.";
    UsernameTaken => "Tên đăng nhập này đã có người dùng.", "This username is already taken.";
    DisplayNameInvalid => "Họ tên cần từ 2 đến 100 ký tự.", "The name needs 2 to 100 characters.";
    ScopeEmpty => "Người tổ chức cần được giao ít nhất một xã/phường hoặc cơ quan.", "An organiser needs at least one commune or organisation.";
    UnknownOrganisation => "Không có cơ quan/đơn vị này.", "No such organisation.";
    TokenNameInvalid => "Tên mã truy cập cần từ 2 đến 60 ký tự.", "A token name needs 2 to 60 characters.";
    PlatformNameInvalid => "Tên nền tảng cần từ 2 đến 100 ký tự.", "A platform name needs 2 to 100 characters.";
    HomePageInvalid => "Trang chủ (homePage) của nền tảng cần là địa chỉ http(s) đầy đủ, ví dụ https://mooc.example.vn.", "The platform's home page (homePage) needs to be a full http(s) address, such as https://mooc.example.vn.";
    TokenScopeInvalid => "Phạm vi phải là ingest hoặc read-stats.", "The scope must be ingest or read-stats.";
    SignIn => "Đăng nhập", "Sign in";
    SignOut => "Đăng xuất", "Sign out";
    Username => "Tên đăng nhập", "Username";
    Password => "Mật khẩu", "Password";
    DisplayName => "Họ và tên", "Full name";
    Accounts => "Tài khoản", "Accounts";
    ApiTokens => "Mã truy cập API", "API tokens";
    AuditLog => "Nhật ký thao tác", "Audit log";
    Role => "Vai trò", "Role";
    RoleAdmin => "Quản trị", "Administrator";
    RoleOrganiser => "Người tổ chức", "Organiser";
    ScopeLabel => "Phạm vi", "Scope";
    ScopeHelp => "Mã xã/phường, cách nhau bởi dấu phẩy (ví dụ 4465, 4456).", "Commune codes, separated by commas (e.g. 4465, 4456).";
    Status => "Trạng thái", "Status";
    Active => "Đang hoạt động", "Active";
    Inactive => "Đã khoá", "Deactivated";
    Create => "Tạo", "Create";
    Save => "Lưu", "Save";
    Deactivate => "Khoá", "Deactivate";
    Reactivate => "Mở khoá", "Reactivate";
    ResetPassword => "Đặt lại mật khẩu", "Reset password";
    NewPassword => "Mật khẩu mới", "New password";
    NewOrganiser => "Thêm người tổ chức", "New organiser";
    Saved => "Đã lưu.", "Saved.";
    Name => "Tên", "Name";
    Created => "Tạo lúc", "Created";
    Revoke => "Thu hồi", "Revoke";
    Revoked => "Đã thu hồi", "Revoked";
    NewToken => "Tạo mã truy cập", "New token";
    Platforms => "Nền tảng MOOC (xAPI)", "MOOC platforms (xAPI)";
    NewPlatform => "Kết nối một nền tảng", "Connect a platform";
    HomePages => "Trang chủ (account.homePage), cách nhau bởi dấu phẩy", "Home pages (account.homePage), comma-separated";
    PlatformKey => "Khoá (key)", "Key";
    PlatformShownOnce => "Trong cấu hình LRS của nền tảng, nhập địa chỉ, khoá (key) và mật khẩu (secret) dưới đây. Mật khẩu chỉ hiện một lần:", "In the platform's LRS settings, enter the address, key and secret below. The secret is shown only once:";
    LrsEndpoint => "Địa chỉ LRS", "LRS endpoint";
    TokenShownOnce => "Mã chỉ hiện một lần. Hãy sao chép và cất giữ an toàn:", "The token is shown only once. Copy it and keep it safe:";
    When => "Thời điểm", "When";
    Who => "Người thực hiện", "Who";
    Action => "Thao tác", "Action";
    Entity => "Đối tượng", "Object";
    Details => "Chi tiết", "Details";
    Filter => "Lọc", "Filter";
    Administration => "Quản trị", "Administration";
    SignedInAs => "Đang đăng nhập:", "Signed in as";
    YourCommunesOnly => "Bảng chỉ gồm các xã/phường trong phạm vi của bạn.", "The table shows only the communes in your scope.";
    FullNameLength => "Họ và tên cần từ 2 đến 100 ký tự.", "The full name needs 2 to 100 characters.";
    FullNameCharacters => "Họ và tên chỉ gồm chữ cái và dấu cách.", "A full name has only letters and spaces.";
    PhoneInvalid => "Số điện thoại chưa đúng (ví dụ 0912 345 678 hoặc +84 912 345 678).", "The phone number is not valid (e.g. 0912 345 678 or +84 912 345 678).";
    PhoneNotMobile => "Cần số điện thoại di động Việt Nam (03x, 05x, 07x, 08x, 09x).", "A Vietnamese mobile number is needed (03x, 05x, 07x, 08x, 09x).";
    BirthDateFormat => "Ngày sinh viết dạng dd/mm/yyyy (ví dụ 05/03/1990).", "Write the birth date as dd/mm/yyyy (e.g. 05/03/1990).";
    BirthDateAge => "Tuổi của học viên cần từ 6 đến 100.", "The learner must be 6 to 100 years old.";
    GenderInvalid => "Giới tính là Nam, Nữ hoặc Khác.", "Gender is male, female or other.";
    GenderMale => "Nam", "Male";
    GenderFemale => "Nữ", "Female";
    GenderOther => "Khác", "Other";
    UnknownTeam => "Không có đội hình này.", "No such team.";
    ConsentRequired => "Cần xác nhận học viên đã đồng ý với thông báo xử lý dữ liệu cá nhân (phiên bản hiện hành).", "Confirm that the learner agreed to the current personal-data notice.";
    AlreadyRegistered => "Người này đã được đăng ký, mã học viên:", "This person is registered already, learner code:";
    AlreadyRegisteredElsewhere => "Người này đã được đăng ký ở đơn vị khác, ngoài phạm vi của bạn.", "This person is registered already, outside your scope.";
    UnitNameInvalid => "Tên cần từ 2 đến 150 ký tự.", "The name needs 2 to 150 characters.";
    OrganisationKindInvalid => "Chọn loại: cơ quan, trường học, doanh nghiệp, chi đoàn hoặc khác.", "Choose a kind: agency, school, enterprise, youth-union branch or other.";
    MemberCountInvalid => "Số thành viên là số nguyên từ 0 đến 10.000.", "The member count is a whole number from 0 to 10,000.";
    FoundedOnInvalid => "Ngày thành lập viết dạng dd/mm/yyyy và không ở tương lai.", "Write the founding date as dd/mm/yyyy, not in the future.";
    ImportHasErrors => "Tệp có dòng chưa hợp lệ; chưa ghi dòng nào. Sửa các dòng dưới đây rồi tải lại.", "The file has bad rows; nothing was written. Fix the rows below and upload again.";
    FileTooLarge => "Tệp quá lớn (tối đa 20 MB).", "The file is too large (at most 20 MB).";
    FileNotReadable => "Không đọc được tệp. Hãy dùng CSV (UTF-8) hoặc Excel (.xlsx).", "The file cannot be read. Use CSV (UTF-8) or Excel (.xlsx).";
    FileEmpty => "Tệp không có dòng dữ liệu nào.", "The file has no data rows.";
    FileTooManyRows => "Tệp có quá nhiều dòng (tối đa 1.000.000 dòng).", "The file has too many rows (at most 1,000,000).";
    FileTooManyColumns => "Tệp có quá nhiều cột (tối đa 200 cột).", "The file has too many columns (at most 200).";
    FileTooManyCells => "Tệp có quá nhiều ô hoặc quá nhiều chữ (tối đa 2.000.000 ô, 48 MB chữ, 1 MB trong một ô).", "The file has too many cells or too much text (at most 2,000,000 cells, 48 MB of text, 1 MB in one cell).";
    FileTooLargeUnpacked => "Tệp Excel giải nén ra quá lớn (trang tính tối đa 200 MB, phần chữ dùng chung tối đa 50 MB) hoặc có quá nhiều phần (tối đa 10.000).", "The Excel file unpacks to too much (at most 200 MB for the sheet, 50 MB for its shared text) or has too many parts (at most 10,000).";
    FileTooDeep => "Tệp Excel lồng nhau quá sâu (tối đa 64 tầng).", "The Excel file is nested too deeply (at most 64 levels).";
    ColumnMissing => "Thiếu cột bắt buộc.", "A required column is missing.";
    ColumnRepeated => "Cột này xuất hiện hai lần.", "This column appears twice.";
    RowLength => "Số ô của dòng không khớp với dòng tiêu đề.", "The row has a different number of cells from the header.";
    ConsentColumnNo => "Cột Đồng ý phải là \"có\" (yes) cho mọi học viên.", "The consent column must say yes for every learner.";
    ConsentNotStated => "Tệp không có cột Đồng ý: hãy xác nhận đã thu thập sự đồng ý theo thông báo hiện hành.", "The file has no consent column: confirm that consent was collected under the current notice.";
    DuplicateInFile => "Người này xuất hiện ở một dòng trước trong tệp.", "This person appears on an earlier line of the file.";
    UnknownLearnerCode => "Không có học viên mang mã này.", "No learner has this code.";
    LearnerCodeMismatch => "Mã học viên không khớp với người ở dòng này.", "The learner code belongs to another person.";
    OutOfScope => "Ngoài phạm vi phụ trách của bạn.", "Outside your scope.";
    ExportFormatInvalid => "Định dạng xuất là csv hoặc xlsx.", "The export format is csv or xlsx.";
    RegisterLearner => "Đăng ký học viên", "Register a learner";
    ImportFromFile => "Nhập từ tệp Excel/CSV", "Import from an Excel/CSV file";
    SearchLearners => "Tìm theo tên, mã hoặc số điện thoại", "Search by name, code or phone";
    CommuneCode => "Mã xã", "Commune code";
    LearnerCode => "Mã học viên", "Learner code";
    PageLabel => "Trang", "Page";
    BirthDate => "Ngày sinh", "Birth date";
    BirthDateHint => "dd/mm/yyyy, ví dụ 05/03/1990", "dd/mm/yyyy, e.g. 05/03/1990";
    Gender => "Giới tính", "Gender";
    Phone => "Số điện thoại", "Phone";
    Organisation => "Cơ quan/Đơn vị", "Organisation";
    ConsentTitle => "Đồng ý xử lý dữ liệu cá nhân", "Consent to personal-data processing";
    ConsentConfirm => "Học viên đã đọc (hoặc được đọc cho nghe) thông báo trên và đồng ý.", "The learner has read (or been read) the notice above and agrees.";
    ConsentCollected => "Tôi xác nhận đã thu thập sự đồng ý của mọi học viên trong tệp theo thông báo trên.", "I confirm that every learner in the file agreed under the notice above.";
    Registered => "Đã đăng ký. Hãy đưa cho học viên mã và đường dẫn dưới đây.", "Registered. Give the learner the code and the link below.";
    ProgressLink => "Đường dẫn xem tiến độ", "Progress link";
    FileLabel => "Tệp (CSV hoặc .xlsx, tối đa 20 MB)", "File (CSV or .xlsx, at most 20 MB)";
    ImportHelp => "Cột: Họ và tên, Ngày sinh, Giới tính, Số điện thoại, Xã/Phường; có thể thêm Tỉnh/Thành phố (khi tên xã trùng ở tỉnh khác), Cơ quan/Đơn vị, Đội hình, Đối tượng, Mã học viên, Đồng ý.", "Columns: full name, birth date, gender, phone, commune; optionally province (where a commune's name occurs in another province too), organisation, team, learner group, learner code, consent.";
    DryRun => "Chạy thử: chỉ kiểm tra, không ghi", "Dry run: check only, write nothing";
    Upload => "Tải lên", "Upload";
    LargeFilesTakeTime => "Tệp lớn có thể mất vài giây; đừng đóng trang.", "Large files can take a few seconds; keep this page open.";
    DryRunResult => "Chạy thử xong, chưa ghi gì. Nếu nhập thật:", "Dry run done, nothing written. A real import would give:";
    ImportDone => "Đã nhập xong.", "Import done.";
    CreatedCount => "Thêm mới", "Created";
    Updated => "Cập nhật", "Updated";
    Unchanged => "Không đổi", "Unchanged";
    UnknownColumns => "Cột không nhận ra (không nhập)", "Columns not recognised (not imported)";
    BadRows => "lỗi", "problems";
    Line => "Dòng", "Line";
    Column => "Cột", "Column";
    Value => "Giá trị", "Value";
    Problem => "Vấn đề", "Problem";
    Organisations => "Cơ quan/Đơn vị", "Organisations";
    Edit => "Sửa", "Edit";
    KindLabel => "Loại", "Kind";
    KindAgency => "Cơ quan", "Agency";
    KindSchool => "Trường học", "School";
    KindEnterprise => "Doanh nghiệp", "Enterprise";
    KindYouthUnion => "Chi đoàn", "Youth-union branch";
    KindOther => "Khác", "Other";
    ParentOrganisation => "Đơn vị cấp trên (mã hoặc tên)", "Parent organisation (id or name)";
    Leader => "Đội trưởng", "Leader";
    Members => "Số thành viên", "Members";
    FoundedOn => "Ngày thành lập", "Founded on";
    EditLearner => "Sửa thông tin", "Edit details";
    Previous => "Trang trước", "Previous";
    Next => "Trang sau", "Next";
    CourseCodeInvalid => "Mã khoá học gồm 2–30 chữ không dấu, chữ số, - hoặc _.", "A course code is 2–30 letters, digits, - or _.";
    CourseCodeTaken => "Mã khoá học này đã có.", "This course code is taken.";
    CourseUrlInvalid => "Đường dẫn phải bắt đầu bằng https:// hoặc http://.", "The link must start with https:// or http://.";
    CourseHoursInvalid => "Số giờ là số nguyên từ 0 đến 1.000.", "Hours are a whole number from 0 to 1,000.";
    UnknownCourse => "Không có khoá học này.", "No such course.";
    CourseInactive => "Khoá học đã ngừng.", "This course is closed.";
    CompletedAtInvalid => "Ngày hoàn thành viết dạng dd/mm/yyyy và không ở tương lai.", "Write the completion date as dd/mm/yyyy, not in the future.";
    ScoreInvalid => "Điểm từ 0 đến 100.", "The score is from 0 to 100.";
    ProgressInvalid => "Tiến độ là số nguyên từ 0 đến 100.", "Progress is a whole number from 0 to 100.";
    UnknownLearner => "Không có học viên này.", "No such learner.";
    StatusInvalid => "Trạng thái là: đã đăng ký, đang học hoặc hoàn thành.", "The status is enrolled, in progress or completed.";
    Courses => "Khoá học", "Courses";
    StatusEnrolled => "Đã đăng ký", "Enrolled";
    StatusInProgress => "Đang học", "In progress";
    StatusCompleted => "Hoàn thành", "Completed";
    Score => "Điểm", "Score";
    CompletedOn => "Ngày hoàn thành", "Completed on";
    CertificateNo => "Số chứng chỉ", "Certificate no.";
    RecordCompletion => "Ghi nhận hoàn thành", "Record completion";
    UndoCompletion => "Hoàn tác", "Undo";
    EnrolIn => "Đăng ký khoá", "Enrol in";
    Enrol => "Đăng ký", "Enrol";
    CourseCode => "Mã khoá học", "Course code";
    TitleEnglish => "Tên tiếng Anh", "English title";
    Platform => "Nền tảng", "Platform";
    Link => "Đường dẫn", "Link";
    ActivityIri => "Mã hoạt động xAPI (nếu khác đường dẫn)", "xAPI activity id (if not the link)";
    Hours => "Số giờ", "Hours";
    EnrolAll => "Đăng ký cả nhóm vào khoá", "Enrol everyone in a course";
    EnrolledNow => "Vừa đăng ký", "Enrolled now";
    EnrolledAlready => "Đã đăng ký từ trước", "Enrolled already";
    SetProgress => "Cập nhật tiến độ", "Update progress";
    ProgressPercent => "Tiến độ (%)", "Progress (%)";
    Hello => "Xin chào", "Hello";
    LookupTitle => "Tra cứu tiến độ học tập", "Check your progress";
    LookupIntro => "Nhập số điện thoại và ngày sinh đã dùng khi đăng ký để mở trang tiến độ của bạn.", "Enter the phone number and birth date you registered with to open your progress page.";
    ProgressLinkHidden => "Đường dẫn chỉ hiện khi vừa được cấp (máy chủ chỉ lưu bản băm). Để in lại thẻ, hãy cấp đường dẫn mới.", "The link is shown only when it is issued (the server keeps only its hash). To print the card again, issue a new link.";
    ProgressLinkNone => "Học viên chưa có đường dẫn xem tiến độ. Hãy cấp đường dẫn để in thẻ.", "This learner has no progress link yet. Issue one to print the card.";
    ProgressLinkIssued => "Đã cấp (chỉ lưu bản băm)", "Issued (only its hash is kept)";
    ProgressLinkNotIssued => "Chưa cấp", "Not issued";
    ProgressLinkRenewed => "Đã cấp đường dẫn mới; đường dẫn cũ không còn dùng được. Hãy in lại thẻ.", "A new link was issued; the old one no longer works. Print the card again.";
    CitizenIdInvalid => "Số CCCD phải gồm 12 chữ số (hoặc 9 chữ số CMND cũ).", "A citizen ID number has 12 digits (or 9 for an old ID card).";
    CitizenIdNoKey => "Máy chủ chưa được cấu hình khoá băm (HOCVUSO_CITIZEN_ID_KEY) nên không nhận cột số CCCD. Hãy bỏ cột này hoặc nhờ quản trị cấu hình.", "This server has no hashing key (HOCVUSO_CITIZEN_ID_KEY), so it does not take a citizen ID column. Remove the column or ask the administrator.";
    EraseNotConfirmed => "Hãy đánh dấu xác nhận trước khi xoá dữ liệu cá nhân.", "Tick the confirmation before erasing the personal data.";
    PersonalData => "Dữ liệu cá nhân", "Personal data";
    PersonalDataIntro => "Toàn bộ dữ liệu hệ thống lưu về học viên này, để cung cấp khi học viên yêu cầu (Nghị định 13/2023/NĐ-CP). In trang này hoặc tải tệp JSON.", "Everything this system holds about the learner, to hand over on request (Decree 13/2023/NĐ-CP). Print this page or download the JSON file.";
    DownloadJson => "Tải tệp JSON", "Download JSON";
    ForgetLearner => "Xoá dữ liệu cá nhân (khi học viên rút lại đồng ý)", "Erase personal data (when the learner withdraws consent)";
    ForgetExplain => "Họ tên, số điện thoại, ngày sinh, đường dẫn cá nhân và số chứng chỉ sẽ bị xoá vĩnh viễn. Các lượt đăng ký và hoàn thành vẫn được tính, ẩn danh, nên số liệu thống kê không đổi.", "Name, phone, birth date, personal link and certificate numbers are erased for good. Enrolments and completions still count, anonymously, so statistics do not change.";
    ForgetConfirm => "Tôi xác nhận học viên đã yêu cầu xoá dữ liệu", "I confirm the learner asked for their data to be erased";
    ForgetSubmit => "Xoá dữ liệu cá nhân", "Erase personal data";
    LearnerErased => "Đã xoá dữ liệu cá nhân của học viên. Số liệu thống kê không thay đổi.", "The learner's personal data was erased. Statistics are unchanged.";
    ConsentGiven => "Đồng ý", "Consent";
    History => "Lịch sử", "History";
    CitizenIdHashedNote => "Số CCCD chỉ được lưu dưới dạng mã băm để đối chiếu, không lưu số.", "The citizen ID is kept only as a hash for matching, never the number.";
    PeriodInvalid => "Kỳ không hợp lệ: dùng 2026-W48, 2026-11, 2026-Q4, 2026 hoặc ngày dạng 2026-11-28.", "Not a period: use 2026-W48, 2026-11, 2026-Q4, 2026 or dates such as 2026-11-28.";
    TargetUnitKind => "Loại đơn vị phải là province, commune, organisation hoặc team.", "The unit kind is province, commune, organisation or team.";
    TargetUnitUnknown => "Không tìm thấy đơn vị này (mã xã, mã tỉnh, hoặc tên/mã cơ quan, đội hình).", "No such unit (commune or province code, or organisation or team name or id).";
    TargetMetricUnknown => "Chỉ tiêu phải là completion_rate, enrolments hoặc learners_trained.", "The metric is completion_rate, enrolments or learners_trained.";
    TargetValueInvalid => "Giá trị chỉ tiêu không hợp lệ (tỉ lệ 0–100, tối đa một chữ số thập phân; số lượng là số nguyên không âm).", "Not a target value (a rate from 0 to 100 with at most one decimal; a count is a whole number).";
    TargetColumns => "Tệp cần các cột unit_kind, unit, period, metric, value.", "The file needs the columns unit_kind, unit, period, metric, value.";
    NewEnrolments => "Đăng ký mới", "New enrolments";
    NewCompletions => "Hoàn thành mới", "New completions";
    Target => "Chỉ tiêu", "Target";
    Figure => "Chỉ số", "Figure";
    ThisWeek => "Tuần này", "This week";
    LastWeek => "Tuần trước", "Last week";
    Week => "Tuần", "Week";
    Change => "Thay đổi", "Change";
    Summary => "Tổng hợp", "Summary";
    Communes => "Xã, phường", "Communes";
    BehindTarget => "Chưa đạt chỉ tiêu", "Behind target";
    Movers => "Biến động lớn", "Biggest movers";
    ActiveTeams => "Đội hình tích cực", "Most active teams";
    TargetTick => "vạch đứng là chỉ tiêu", "the tick is the target";
    Trend => "Xu hướng theo tuần", "Weekly trend";
    TrendCaption => "Cột: lượt hoàn thành mỗi tuần; đường: tỷ lệ hoàn thành luỹ kế, hiện", "Bars: completions each week; line: cumulative completion rate, now";
    TargetMet => "đạt", "met";
    TargetBehind => "chưa đạt", "behind";
    Dashboard => "Thống kê hoàn thành", "Completion dashboard";
    Leaderboard => "Bảng xếp hạng", "Leaderboard";
    WeeklyReport => "Báo cáo tuần", "Weekly report";
    WholeProvince => "Toàn tỉnh", "Whole province";
    GroupBy => "Xem theo", "Group by";
    AllCourses => "Tất cả khoá học", "All courses";
    Period => "Kỳ", "Period";
    FromDate => "Từ ngày", "From";
    ToDate => "Đến ngày", "To";
    Show => "Xem", "Show";
    PeriodNote => "số liệu luỹ kế đến cuối kỳ; kỳ tính theo tuần ISO", "figures are cumulative to the end of the period; periods are whole ISO weeks";
    Statistics => "Thống kê", "Statistics";
    Targets => "Chỉ tiêu", "Targets";
    TargetsSaved => "Đã lưu chỉ tiêu. Số chỉ tiêu thay đổi:", "Targets saved. Targets changed:";
    TargetUnit => "Đơn vị", "Unit";
    TargetUnitHint => "Mã xã/phường hoặc mã tỉnh; tên hoặc mã của cơ quan, đội hình", "Commune or province code; organisation or team name or id";
    TargetPeriodHint => "Để trống cho cả chiến dịch, hoặc 2026-W48, 2026-11, 2026-Q4, 2026", "Empty for the whole campaign, or 2026-W48, 2026-11, 2026-Q4, 2026";
    TargetMetricLabel => "Chỉ số", "Metric";
    TargetsFile => "Tệp chỉ tiêu (CSV hoặc Excel)", "Targets file (CSV or Excel)";
    NoneThisWeek => "Không có.", "None.";
    Signoffs => "Xác nhận số liệu tuần của xã/phường", "Communes' sign-off of the week";
    SignoffAction => "Xác nhận số liệu tuần", "Sign off the week's figures";
    SignoffHelp => "Cán bộ phụ trách xã/phường xác nhận số liệu của tuần đã kết thúc, chậm nhất 12:00 thứ Ba tuần sau; quản trị tỉnh duyệt hoặc trả lại kèm ý kiến. Hoàn thành ghi nhận muộn được tính vào đúng tuần của nó và hiện ở cột \"Thay đổi sau xác nhận\".", "The commune's organiser confirms the figures of a week that has ended, by Tuesday 12:00 the week after; the province admin approves them or returns them with a comment. Completions recorded late count in their own week and show under \"Changed since sign-off\".";
    SignoffDeadline => "Hạn xác nhận", "Sign-off due";
    SignoffOnTimeRate => "Tỷ lệ xác nhận đúng hạn", "Signed off on time";
    SignoffStateHeader => "Trạng thái", "State";
    SignoffMissing => "Chưa xác nhận", "Not signed off";
    SignoffSigned => "Đã xác nhận đúng hạn", "Signed off on time";
    SignoffLate => "Xác nhận muộn", "Signed off late";
    SignoffApproved => "Đã duyệt", "Approved";
    SignoffReturned => "Bị trả lại", "Returned";
    SignoffSignedAt => "Xác nhận lúc", "Signed off at";
    SignoffSignedBy => "Người xác nhận", "Signed off by";
    SignoffNote => "Ghi chú", "Note";
    SignoffComment => "Ý kiến của tỉnh", "Province's comment";
    SignoffChanged => "Thay đổi sau xác nhận", "Changed since sign-off";
    SignoffSheet => "Xác nhận tuần", "Sign-off";
    SignoffChangedCompletions => "Hoàn thành thêm sau xác nhận", "Completions since sign-off";
    SignoffApprove => "Duyệt", "Approve";
    SignoffReturn => "Trả lại", "Return";
    SignoffWeekNotEnded => "Tuần này chưa kết thúc: chỉ xác nhận được số liệu của tuần đã kết thúc (từ thứ Hai tuần sau).", "This week has not ended yet: only a week that has ended can be signed off (from the Monday after).";
    SignoffCommentRequired => "Hãy ghi lý do trả lại.", "Say why it is returned.";
    SignoffTextTooLong => "Ghi chú hoặc ý kiến dài tối đa 1.000 ký tự.", "A note or comment has at most 1,000 characters.";
    BodyTooLarge => "Nội dung gửi lên quá lớn.", "The request is too large.";
    PlatformAccounts => "Tài khoản trên nền tảng học", "Platform accounts";
    PlatformAccountsHint => "Để kết quả từ MOOC (Open edX, Moodle) tính cho học viên: nhập địa chỉ nền tảng và tên tài khoản, hoặc e-mail học viên dùng trên nền tảng (chỉ lưu mã băm).", "So results from a MOOC (Open edX, Moodle) count for this learner: give the platform's address and the account name, or the e-mail the learner uses there (only its hash is kept).";
    PlatformHomePage => "Địa chỉ nền tảng", "Platform address";
    PlatformAccountName => "Tên tài khoản", "Account name";
    Email => "E-mail", "E-mail";
    LinkAccount => "Liên kết", "Link";
    AccountLinked => "Đã liên kết. Số kết quả đang chờ được tính:", "Linked. Waiting results now counted:";
    Unmatched => "Kết quả chưa khớp học viên", "Results not matched to a learner";
    UnmatchedHint => "Các nền tảng đã gửi kết quả của những tài khoản này nhưng chưa liên kết với học viên nào. Liên kết tài khoản trên phiếu học viên: kết quả sẽ được tính theo thứ tự thời gian, một lần.", "Platforms sent results for these accounts, which are linked to no learner yet. Link the account on the learner's card: its results then count, in time order, once.";
    UnmatchedNone => "Không có kết quả nào đang chờ.", "No results are waiting.";
    Actor => "Người học trên nền tảng", "Actor";
    Statements => "Số bản ghi", "Statements";
    FirstSeen => "Lần đầu", "First seen";
    LastSeen => "Gần nhất", "Last seen";
    WaitingForMatch => "Hoàn thành chờ khớp học viên", "Completions waiting for a match";
    LinkHomePageInvalid => "Địa chỉ nền tảng cần là một địa chỉ web đầy đủ (https://…).", "The platform address must be a full web address (https://…).";
    LinkNameRequired => "Cần tên tài khoản trên nền tảng (1 đến 200 ký tự).", "The account name on the platform is needed (1 to 200 characters).";
    LinkEmailInvalid => "Địa chỉ e-mail chưa đúng.", "The e-mail address is not valid.";
    LinkOneKind => "Nhập tài khoản trên nền tảng hoặc địa chỉ e-mail, một trong hai.", "Give an account on a platform or an e-mail address, one of the two.";
    BadRequest => "Yêu cầu không đúng giao thức.", "The request does not follow the protocol.";
    PreconditionFailed => "Tài liệu đã đổi từ lần đọc trước.", "The document changed since it was read.";
    NewEntry => "mới", "new";
    RankByCompletions => "Hạng theo số hoàn thành", "Rank by completions";
    LeaderboardRule => "Xếp hạng theo tỷ lệ hoàn thành luỹ kế đến cuối tuần; bằng nhau thì theo số hoàn thành, rồi theo tên; ▲▼ so với tuần trước. Đơn vị có ít lượt đăng ký hơn mức tối thiểu được liệt kê riêng. Mức tối thiểu:", "Ranked by cumulative completion rate at the end of the week; ties by completions, then name; ▲▼ against the week before. Units with fewer enrolments than the minimum are listed apart. Minimum:";
    NotRanked => "Chưa xếp hạng (ít lượt đăng ký)", "Not ranked (few enrolments)";
    LookupNav => "Tra cứu tiến độ", "My progress";
    LookupSubmit => "Tra cứu", "Look up";
    LookupNoMatch => "Không tìm thấy học viên với số điện thoại và ngày sinh này. Hãy kiểm tra lại hoặc hỏi người tổ chức.", "No learner matches this phone number and birth date. Check them, or ask your organiser.";
    LookupLimited => "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau một phút.", "Too many lookups. Please try again in a minute.";
    NewProgressLink => "Cấp đường dẫn mới (đường dẫn cũ sẽ hết hiệu lực)", "Issue a new link (the old one stops working)";
    LinkNoLongerValid => "Đường dẫn này không còn hiệu lực. Hãy hỏi người tổ chức để nhận đường dẫn mới.", "This link is no longer valid. Ask your organiser for a new one.";
    BodyNotJson => "Nội dung gửi lên không phải JSON hợp lệ.", "The request body is not valid JSON.";
    ServerBusy => "Máy chủ đang bận xử lý nhiều yêu cầu; vui lòng thử lại sau ít giây.", "The server is busy with other requests; please try again in a few seconds.";
    UnknownField => "Trường này không được hỗ trợ; hãy kiểm tra tên trường.", "This field is not known; check its name.";
    IdempotencyKeyInvalid => "Khoá chống gửi trùng (Idempotency-Key) phải là một UUID.", "The Idempotency-Key header must be a UUID.";
    IdempotencyKeyReused => "Khoá chống gửi trùng (Idempotency-Key) này đã dùng cho một yêu cầu khác; nội dung mới cần khoá mới.", "This Idempotency-Key was sent with another request; new content needs a new key.";
    GuidanceDateInvalid => "Ngày hướng dẫn là một ngày từ 01/01/2025 đến hôm nay (dd/mm/yyyy).", "The session date is a day from 01/01/2025 to today (dd/mm/yyyy).";
    VillageInvalid => "Ghi thôn/bản, tối đa 100 ký tự.", "Give the village, at most 100 characters.";
    GuidanceTopicRequired => "Chọn một khoá học hoặc ghi một kỹ năng (tối đa 200 ký tự), không cả hai.", "Choose a course or write a skill (at most 200 characters), not both.";
    TooManyAttendees => "Tối đa 500 học viên một buổi.", "At most 500 learners a session.";
    AttendeeUnknown => "Không có học viên mang mã này trong phạm vi của bạn.", "No learner with this code in your scope.";
    GuidedUnregisteredInvalid => "Số người chưa đăng ký được hướng dẫn là số nguyên từ 0 đến 1.000.", "People guided who are not registered: a whole number from 0 to 1,000.";
    GuidanceSessions => "Buổi hướng dẫn", "Guidance sessions";
    Sessions => "Số buổi", "Sessions";
    Attendances => "Lượt học viên dự", "Learners attending";
    PeopleGuided => "Người được hướng dẫn", "People guided";
    GuidedUnregistered => "Người chưa đăng ký", "Not registered";
    Village => "Thôn/bản", "Village";
    Topic => "Nội dung", "Topic";
    SessionDate => "Ngày", "Date";
    AllTime => "Từ đầu", "All time";
    CrossSiteRefused => "Yêu cầu từ trang web khác bị từ chối.", "A request from another site was refused.";
    UnknownPlatform => "Không có nền tảng này: ghi địa chỉ web của nền tảng (https://…) hoặc tên một kết nối nền tảng.", "No such platform: give the platform's web address (https://…) or the name of a platform connection.";
    LearnerAmbiguous => "Có nhiều học viên cùng số điện thoại và ngày sinh này; hãy dùng mã học viên.", "Several learners have this phone number and birth date; use the learner code.";
    AccountLinkedElsewhere => "Tài khoản này đã được liên kết với học viên khác.", "This account is linked to another learner.";
    AccountRepeatedInFile => "Tài khoản này đã có ở một dòng trước trong tệp, cho học viên khác.", "This account is on an earlier line of the file, for another learner.";
    ImportFormatInvalid => "Định dạng báo cáo là openedx hoặc moodle.", "The report format is openedx or moodle.";
    CourseNoActivityId => "Khoá học chưa có đường dẫn hay mã hoạt động xAPI để ghi nhận kết quả từ nền tảng.", "The course has no link or xAPI activity id that results from the platform could name.";
    GradeInvalid => "Điểm (Grade) là số từ 0 đến 1, hoặc phần trăm như 85%.", "The grade is a number from 0 to 1, or a percentage such as 85%.";
    ImportPlatformAccounts => "Nhập tài khoản nền tảng học từ tệp", "Import platform accounts from a file";
    ImportPlatformAccountsHelp => "Cột: platform (địa chỉ nền tảng hoặc tên kết nối), account (tên tài khoản trên nền tảng, hoặc e-mail), và learner_code hoặc phone + birth_date. Kết quả đang chờ của các tài khoản này được tính ngay, một lần.", "Columns: platform (the platform's address or connection name), account (the account name on the platform, or an e-mail address), and learner_code or phone + birth_date. Results waiting for these accounts count at once, once.";
    KnownPlatforms => "Nền tảng đã kết nối (ghi tên hoặc địa chỉ vào cột platform)", "Connected platforms (put the name or the address in the platform column)";
    CannotDeactivateSelf => "Không thể tự khoá tài khoản của mình.", "You cannot deactivate your own account.";
    AtRisk => "Học viên cần nhắc học", "At-risk learners";
    AtRiskNav => "Cần nhắc học", "At risk";
    AtRiskHelp => "Học viên đã đăng ký khoá học đủ số ngày, chưa hoàn thành và tiến độ không đổi trong số ngày đã chọn; người lâu nhất ở trên. Hãy gọi điện hoặc gửi tin nhắn (Zalo, SMS) để nhắc.", "Learners enrolled for at least the days chosen, not completed, whose progress has not changed for the days chosen; longest first. Call them or send a message (Zalo, SMS).";
    IdleDays => "Không có tiến độ ít nhất (ngày)", "No progress for at least (days)";
    EnrolledDays => "Đã đăng ký ít nhất (ngày)", "Enrolled at least (days)";
    EnrolledOn => "Ngày đăng ký", "Enrolled on";
    LastChange => "Thay đổi gần nhất", "Last change";
    DaysIdle => "Số ngày không đổi", "Days idle";
    CallLearner => "Gọi", "Call";
    CopyMessage => "Chép tin nhắn", "Copy message";
    MessageCopied => "Đã chép", "Copied";
    MessageToLearner => "Tin nhắn gửi học viên", "Message to the learner";
    PrintCallList => "In danh sách gọi", "Print the call list";
    NoAtRisk => "Không có học viên nào cần nhắc với các điều kiện này.", "No learner matches these conditions.";
    AtRiskDaysInvalid => "Số ngày là số nguyên từ 0 đến 3.650.", "Days are a whole number from 0 to 3,650.";
    PageInvalid => "Số trang là số nguyên từ 1 đến 10.000.", "The page is a whole number from 1 to 10,000.";
    AtRiskMessageHello => "Chào", "Hello";
    AtRiskMessageCourse => "bạn đã đăng ký khoá học", "you enrolled in the course";
    AtRiskMessageProgress => "tiến độ", "progress";
    AtRiskMessageContinue => "nhưng chưa hoàn thành. Mời bạn học tiếp để hoàn thành khoá học.", "but have not finished it. Please carry on and complete it.";
    AtRiskMessageLink => "Xem tiến độ của bạn tại", "See your progress at";
    AtRiskMessageLookup => "(nhập số điện thoại và ngày sinh)", "(enter your phone number and birth date)";
    AtRiskPerCommune => "Học viên cần nhắc học theo xã (cuối tuần)", "At-risk learners per commune (end of the week)";
    AtRiskCount => "Số lượt cần nhắc", "At-risk enrolments";
    ScheduledReports => "Báo cáo tự động", "Scheduled reports";
    ScheduledReportsIntro => "Mỗi thứ Hai lúc 07:00 (giờ Việt Nam), báo cáo của tuần vừa kết thúc được tự ghi thành tệp XLSX và CSV, của cả nước và từng tỉnh có số liệu.", "Every Monday at 07:00 (Vietnam time) the report of the week just ended is written as XLSX and CSV, for the country and each province with figures.";
    NoScheduledReports => "Chưa có báo cáo nào được ghi.", "No report has been written yet.";
    ReportFile => "Tệp", "File";
    FileSize => "Dung lượng (byte)", "Size (bytes)";
    WrittenAt => "Ghi lúc", "Written at";
    ReportEmails => "Thư gửi báo cáo", "Report e-mails";
    NoReportEmails => "Chưa gửi thư nào (cần HOCVUSO_SMTP_URL và HOCVUSO_REPORT_TO).", "No e-mail yet (needs HOCVUSO_SMTP_URL and HOCVUSO_REPORT_TO).";
    Recipients => "Người nhận", "Recipients";
    Attempts => "Số lần thử", "Attempts";
    LastError => "Lỗi gần nhất", "Last error";
    NextAttempt => "Thử lại lúc", "Next attempt";
    DeliveryPending => "Chờ gửi", "Waiting";
    DeliverySent => "Đã gửi", "Sent";
    DeliveryRetrying => "Gửi lỗi, sẽ thử lại", "Failed, will retry";
    DeliveryFailed => "Gửi lỗi, đã ngừng thử", "Failed, no more attempts";
    Outbox => "Hàng chờ gửi", "Outbox";
    OutboxIntro => "Những gì bạn nhập khi không có mạng được lưu trên máy này và tự gửi khi có mạng trở lại. Không đóng trình duyệt cũng không sao: lần mở sau sẽ gửi tiếp.", "What you enter without a connection is kept on this device and sent by itself when the connection returns, even after the browser was closed.";
    OutboxEmpty => "Hàng chờ trống.", "The outbox is empty.";
    OutboxWaiting => "Đang chờ gửi", "Waiting to be sent";
    OutboxRegistered => "Đã đăng ký, mã học viên", "Registered, learner code";
    OutboxAlreadyRegistered => "Người này đã được đăng ký từ trước, mã học viên", "This person was registered before, learner code";
    OutboxRecorded => "Đã ghi nhận", "Recorded";
    OutboxRefused => "Bị từ chối; sửa rồi gửi lại", "Refused; correct it and send it again";
    OutboxNeedsSignIn => "Phiên đăng nhập đã hết: đăng nhập lại, hàng chờ sẽ tự gửi", "Your session has ended: sign in again and the outbox sends by itself";
    OutboxSendNow => "Gửi ngay", "Send now";
    OutboxOtherAccount => "Mục này được nhập khi đăng nhập bằng tài khoản khác: đăng nhập bằng tài khoản đó để gửi", "This entry was typed under another account: sign in with that account to send it";
    OutboxTypedBy => "Nhập bằng tài khoản", "Typed under the account";
    ScanCardQr => "Quét mã QR trên thẻ học viên", "Scan the QR code on a learner's card";
    PickAttendees => "Học viên của đội hình đã tham dự", "Learners of the team who attended";
    OutboxSaved => "Đã lưu vào hàng chờ gửi trên máy này; sẽ tự gửi khi có mạng.", "Saved in this device's outbox; it is sent when there is a connection.";
    OutboxNeedsScript => "Hàng chờ gửi cần JavaScript; trình duyệt này đang tắt JavaScript.", "The outbox needs JavaScript, which this browser has turned off.";
    OutboxCompletion => "Hoàn thành khoá học", "Course completion";
    OfflineTitle => "Không có kết nối mạng", "You are offline";
    OfflineBody => "Trang này cần kết nối mạng. Khi không có mạng vẫn dùng được: biểu mẫu đăng ký học viên, biểu mẫu buổi hướng dẫn, thẻ học viên đã mở trước đó và hàng chờ gửi.", "This page needs the connection. Without it you can still use the registration form, the guidance-session form, learner cards you opened before and the outbox.";
    RecordGuidanceSession => "Ghi buổi hướng dẫn", "Record a guidance session";
    TeamsCommune => "Xã của đội hình", "The team's commune";
    SkillInWords => "Hoặc một kỹ năng (ghi bằng lời)", "Or a skill (in words)";
    AttendeeCodes => "Mã học viên có mặt", "Codes of the learners who attended";
    AttendeeCodesHint => "Các mã HV-… như trên thẻ học viên (hoặc đường dẫn quét từ mã QR trên thẻ), cách nhau bởi dấu cách hoặc dấu phẩy.", "The HV-… codes on their cards (or the links scanned from the QR codes on them), separated by spaces or commas.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_percentages_follow_the_language() {
        assert_eq!(Lang::Vi.count(7678), "7.678");
        assert_eq!(Lang::En.count(7678), "7,678");
        assert_eq!(Lang::En.count(1234567), "1,234,567");
        assert_eq!(Lang::En.count(999), "999");
        assert_eq!(Lang::Vi.percent(Some(760)), "76,0%");
        assert_eq!(Lang::En.percent(Some(760)), "76.0%");
        assert_eq!(Lang::En.percent(Some(1000)), "100.0%");
        assert_eq!(Lang::En.percent(None), "–");
    }

    #[test]
    fn unknown_language_codes_fall_back_to_vietnamese() {
        assert_eq!(Lang::from_code("en-GB"), Lang::En);
        assert_eq!(Lang::from_code("fr"), Lang::Vi);
    }
}
