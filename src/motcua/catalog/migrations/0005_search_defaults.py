"""Default synonyms, abbreviations and colloquial names for the catalogue search (issue #18).

Agency admins edit them afterwards (Quản trị > Tìm kiếm); this only seeds a new installation with
what people commonly type. Colloquial names are keyed by the national procedure code (the national
catalogue's codes are the same in every province), so they apply once the procedure is imported.
"""

from django.db import migrations

SYNONYMS = [
    # abbreviations
    ("cccd", "thẻ căn cước"), ("căn cước công dân", "thẻ căn cước"), ("cmnd", "chứng minh nhân dân"),
    ("cmt", "chứng minh nhân dân"), ("gpxd", "giấy phép xây dựng"), ("gplx", "giấy phép lái xe"),
    ("hkd", "hộ kinh doanh"), ("bhxh", "bảo hiểm xã hội"), ("bhyt", "bảo hiểm y tế"),
    ("tnhh", "trách nhiệm hữu hạn"), ("cty", "công ty"), ("dn", "doanh nghiệp"), ("kd", "kinh doanh"),
    ("dkkd", "đăng ký kinh doanh"), ("gpkd", "giấy phép kinh doanh"), ("mst", "mã số thuế"),
    ("tncn", "thu nhập cá nhân"), ("lltp", "lý lịch tư pháp"), ("tnld", "tai nạn lao động"),
    ("bnn", "bệnh nghề nghiệp"), ("ubnd", "ủy ban nhân dân"), ("gcn", "giấy chứng nhận"),
    ("qsdd", "quyền sử dụng đất"), ("gcn qsdd", "giấy chứng nhận quyền sử dụng đất"),
    ("gcnqsdd", "giấy chứng nhận quyền sử dụng đất"), ("pccc", "phòng cháy chữa cháy"),
    ("thpt", "trung học phổ thông"), ("gks", "giấy khai sinh"), ("hc", "hộ chiếu"),
    # colloquial words for the catalogue's words
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"), ("sổ hồng", "giấy chứng nhận quyền sử dụng đất"),
    ("bìa đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ("bằng lái xe máy", "giấy phép lái xe"), ("bằng lái xe", "giấy phép lái xe"), ("bằng lái", "giấy phép lái xe"),
    ("xe máy", "xe"), ("xe ô tô", "xe"), ("ô tô", "xe"),
    ("căn cước", "thẻ căn cước"),
    ("hộ cá thể", "hộ kinh doanh"), ("hộ kinh doanh cá thể", "hộ kinh doanh"),
    ("giấy phép kinh doanh hộ cá thể", "giấy chứng nhận đăng ký hộ kinh doanh"),
    ("giấy chứng tử", "đăng ký khai tử"), ("khai tử", "khai tử"),
    ("độc thân", "tình trạng hôn nhân"), ("giấy độc thân", "giấy xác nhận tình trạng hôn nhân"),
    ("nhập hộ khẩu", "đăng ký thường trú"), ("nhập khẩu", "đăng ký thường trú"),
    ("cắt hộ khẩu", "xóa đăng ký thường trú"), ("cắt khẩu", "xóa đăng ký thường trú"),
    ("tách hộ khẩu", "tách hộ"), ("tách khẩu", "tách hộ"), ("hộ khẩu", "thường trú"),
    ("xác nhận cư trú", "xác nhận thông tin về cư trú"),
    ("sao y", "chứng thực bản sao"), ("sao y bản chính", "chứng thực bản sao"),
    ("công chứng bản sao", "chứng thực bản sao"), ("photo công chứng", "chứng thực bản sao"),
    ("rút bảo hiểm", "hưởng bảo hiểm xã hội"), ("rút bảo hiểm xã hội", "hưởng bảo hiểm xã hội"),
    ("bị mất", "cấp lại"), ("mất", "cấp lại"), ("tro cap om dau", "chế độ ốm đau"), ("trợ cấp thai sản", "chế độ thai sản"),
    ("tiền ốm đau", "chế độ ốm đau"), ("xe mới mua", "xe lần đầu"), ("sửa nhà", "sửa chữa, cải tạo"),
    ("mua bán nhà đất", "quyền sử dụng đất, nhà ở"), ("ban sao giay to", "bản sao"), ("làm lại", "cấp lại"), ("làm mới", "cấp"),
    ("luật sư miễn phí", "trợ giúp pháp lý"), ("lý lịch", "lý lịch tư pháp"),
    ("mã số thuế cá nhân", "đăng ký thuế lần đầu đối với người nộp thuế là cá nhân"),
    ("đóng lệ phí trước bạ", "khai lệ phí trước bạ"), ("nộp lệ phí trước bạ", "khai lệ phí trước bạ"),
    ("xin phép xây nhà", "giấy phép xây dựng"), ("xây nhà", "xây dựng"),
    ("thi bằng lái", "cấp giấy phép lái xe"), ("chứng tử", "khai tử"), ("giấy khai tử", "đăng ký khai tử"),
    ("đăng ký lưu trú", "thông báo lưu trú"), ("trích lục khai sinh", "bản sao giấy khai sinh"),
    ("cải chính hộ tịch", "cải chính, thông tin hộ tịch"), ("sửa hộ tịch", "cải chính, thông tin hộ tịch"),
    # civil status
    ("khai sinh lại", "đăng ký lại khai sinh"), ("báo tử", "khai tử"), ("khai tử lại", "đăng ký lại khai tử"),
    ("với người nước ngoài", "có yếu tố nước ngoài"), ("lấy chồng nước ngoài", "kết hôn có yếu tố nước ngoài"),
    ("lấy vợ nước ngoài", "kết hôn có yếu tố nước ngoài"), ("nhận cha con", "nhận cha, mẹ, con"),
    ("nhận mẹ con", "nhận cha, mẹ, con"), ("xác nhận cha con", "nhận cha, mẹ, con"), ("nhận con", "nhận cha, mẹ, con"),
    ("nhận con nuôi", "nuôi con nuôi"), ("xin con nuôi", "nuôi con nuôi"), ("đổi dân tộc", "xác định lại dân tộc"),
    ("trích lục kết hôn", "bản sao trích lục hộ tịch"), ("trích lục khai tử", "bản sao trích lục hộ tịch"),
    ("bản sao giấy chứng tử", "bản sao trích lục hộ tịch"), ("đăng ký kết hôn lại", "đăng ký lại kết hôn"),
    # certification
    ("công chứng hợp đồng", "chứng thực giao dịch"), ("chứng thực hợp đồng", "chứng thực giao dịch"),
    ("hợp đồng mua bán đất", "giao dịch, quyền sử dụng đất"), ("chứng thực bản dịch", "chứng thực chữ ký người dịch"),
    ("dịch thuật công chứng", "chứng thực chữ ký người dịch"), ("chia thừa kế", "phân chia di sản"),
    ("từ chối thừa kế", "từ chối nhận di sản"), ("công chứng di chúc", "chứng thực di chúc"),
    ("công chứng giấy tờ", "chứng thực bản sao"), ("chứng thực giấy tờ", "chứng thực bản sao"),
    # residence
    ("chuyển hộ khẩu", "đăng ký thường trú"), ("chuyển khẩu", "đăng ký thường trú"),
    ("khai báo tạm trú", "đăng ký tạm trú"), ("báo tạm vắng", "khai báo tạm vắng"),
    ("khai báo lưu trú", "thông báo lưu trú"), ("báo lưu trú", "thông báo lưu trú"),
    # identity, passport, driving
    ("cccd gắn chip", "thẻ căn cước"), ("định danh", "định danh cá nhân"),
    ("bấm biển số", "cấp biển số xe"), ("bấm biển", "cấp biển số xe"), ("đăng ký xe mới", "đăng ký xe lần đầu"),
    ("cà vẹt", "chứng nhận đăng ký xe"), ("cavet", "chứng nhận đăng ký xe"), ("giấy đăng ký xe", "chứng nhận đăng ký xe"),
    ("bằng lái quốc tế", "giấy phép lái xe quốc tế"), ("học lái xe", "đào tạo lái xe"),
    # construction, land
    ("xin phép sửa nhà", "giấy phép xây dựng sửa chữa, cải tạo"),
    ("chứng chỉ hành nghề xây dựng", "chứng chỉ hành nghề hoạt động xây dựng"),
    ("tách sổ đỏ", "tách thửa"), ("tách sổ", "tách thửa"), ("gộp sổ", "hợp thửa"), ("gộp thửa", "hợp thửa"),
    ("mua bán đất", "chuyển nhượng quyền sử dụng đất"), ("chuyển nhượng đất", "chuyển nhượng quyền sử dụng đất"),
    ("lên thổ cư", "chuyển mục đích sử dụng đất"), ("chuyển đổi mục đích sử dụng đất", "chuyển mục đích sử dụng đất"),
    ("tranh chấp đất", "tranh chấp đất đai"), ("xóa nợ tiền sử dụng đất", "xóa ghi nợ tiền sử dụng đất"),
    # business
    ("mở công ty", "đăng ký thành lập công ty"), ("giải thể công ty", "giải thể doanh nghiệp"),
    ("đóng cửa công ty", "giải thể doanh nghiệp"), ("tăng vốn điều lệ", "thay đổi vốn điều lệ"),
    ("tạm dừng kinh doanh", "tạm ngừng kinh doanh"), ("đóng chi nhánh", "chấm dứt hoạt động chi nhánh"),
    ("đóng hộ kinh doanh", "chấm dứt hoạt động hộ kinh doanh"), ("giải thể hộ kinh doanh", "chấm dứt hoạt động hộ kinh doanh"),
    # social insurance, tax
    ("tiền thai sản", "chế độ thai sản"), ("nghỉ thai sản", "chế độ thai sản"), ("tiền tuất", "chế độ tử tuất"),
    ("mai táng phí", "chế độ tử tuất"), ("dsphsk", "dưỡng sức phục hồi sức khỏe"), ("dưỡng sức", "dưỡng sức phục hồi sức khỏe"),
    ("thẻ bảo hiểm", "thẻ bảo hiểm y tế"), ("đóng mã số thuế", "chấm dứt hiệu lực mã số thuế"),
    ("cho thuê nhà", "cho thuê bất động sản"), ("thuế bán nhà", "thuế, chuyển nhượng bất động sản"),
    ("thuế nhà đất", "thuế sử dụng đất"), ("thuế đất", "thuế sử dụng đất"), ("thuế khoán", "khai thuế đối với hộ kinh doanh"),
    ("quyết toán thuế", "khai quyết toán thuế"),
    # other
    ("tư vấn pháp luật miễn phí", "trợ giúp pháp lý"), ("sửa chữa nhà", "sửa chữa, cải tạo"),
    ("hòa giải đất đai", "hòa giải tranh chấp đất đai"), ("hòa giải đất", "hòa giải tranh chấp đất đai"),
    ("gia hạn bằng lái", "đổi giấy phép lái xe"), ("gia hạn giấy phép lái xe", "đổi giấy phép lái xe"), ("trích lục giấy khai sinh", "bản sao giấy khai sinh"),
    ("rút sổ bảo hiểm", "hưởng bảo hiểm xã hội một lần"), ("lấy bảo hiểm xã hội", "hưởng bảo hiểm xã hội"),
    ("lấy bảo hiểm", "hưởng bảo hiểm xã hội"), ("mở cửa hàng", "đăng ký thành lập hộ kinh doanh"),
    ("kinh doanh hộ gia đình", "hộ kinh doanh"),
    ("giấy phép kinh doanh hộ gia đình", "đăng ký thành lập hộ kinh doanh"),
    ("xác nhận thường trú", "xác nhận thông tin về cư trú"), ("xác nhận tạm trú", "xác nhận thông tin về cư trú"),
    ("xác nhận nơi ở", "xác nhận thông tin về cư trú"),
    ("di sản thừa kế", "di sản"), ("thừa kế", "di sản"), ("trợ cấp mai táng", "chế độ tử tuất"),
    ("sang tên nhà đất", "nhận chuyển nhượng quyền sử dụng đất"), ("sang tên đất", "nhận chuyển nhượng quyền sử dụng đất"),
    ("chuyển nhượng nhà đất", "chuyển nhượng quyền sử dụng đất"), ("mua đất", "nhận chuyển nhượng quyền sử dụng đất"), ("gốc việt", "người gốc việt nam"),
    ("xin quốc tịch", "nhập quốc tịch"),
]

COLLOQUIAL = {
    "1.001193": ["giấy khai sinh", "làm giấy khai sinh", "khai sinh cho con"],
    "1.000656": ["giấy chứng tử", "khai tử"],
    "1.000894": ["đăng ký kết hôn", "giấy đăng ký kết hôn"],
    "1.004873": ["giấy xác nhận độc thân", "xác nhận độc thân"],
    "1.004222": ["nhập hộ khẩu", "đăng ký hộ khẩu"],
    "1.003197": ["cắt khẩu", "cắt hộ khẩu"],
    "1.010038": ["tách khẩu", "tách hộ khẩu"],
    "1.010041": ["giấy xác nhận cư trú", "xác nhận cư trú"],
    "1.014061": ["làm căn cước", "làm căn cước công dân", "làm cccd", "cấp căn cước lần đầu"],
    "1.014062": ["làm căn cước cho con", "căn cước cho trẻ em"],
    "1.014064": ["mất căn cước", "làm lại căn cước"],
    "1.013978": ["làm sổ đỏ", "cấp sổ đỏ lần đầu", "đăng ký đất đai lần đầu", "cấp giấy chứng nhận lần đầu"],
    "1.012753": ["đăng ký đất đai lần đầu cho tổ chức"],
    "1.012786": ["mất sổ đỏ", "cấp lại sổ đỏ"],
    "1.012787": ["sang tên sổ đỏ", "sang tên đất"],
    "1.012783": ["đổi sổ đỏ"],
    "1.013225": ["giấy phép xây dựng", "xin phép xây nhà", "xin phép xây dựng", "cấp giấy phép xây dựng", "giấy phép xây dựng nhà ở riêng lẻ"],
    "3.000346": ["thi bằng lái", "làm bằng lái xe"],
    "3.000348": ["mất bằng lái", "làm lại bằng lái"],
    "3.000347": ["đổi bằng lái", "bằng lái hết hạn"],
    "1.001456": ["làm hộ chiếu", "làm hộ chiếu lần đầu", "hộ chiếu hết hạn", "gia hạn hộ chiếu", "đổi hộ chiếu"],
    "1.013076": ["sang tên xe"],
    "2.000815": ["sao y", "công chứng bản sao"],
    "1.001613": ["rút bảo hiểm xã hội một lần"],
    "2.000829": ["luật sư miễn phí"],
    "1.008498": ["làm mã số thuế cá nhân"],
    "1.001612": ["đăng ký kinh doanh hộ cá thể", "mở hộ kinh doanh"],
    "2.000575": ["mất giấy phép kinh doanh hộ cá thể", "cấp lại giấy phép hộ kinh doanh"],
    "1.004884": ["làm lại giấy khai sinh", "khai sinh lại"],
    "2.000635": ["mất giấy khai sinh", "giấy khai sinh bị mất", "trích lục khai sinh", "bản sao giấy khai sinh", "trích lục hộ tịch", "bản sao giấy chứng tử"],
    "1.004859": ["đổi tên", "thay đổi họ tên", "thay đổi hộ tịch", "cải chính hộ tịch", "sửa sai giấy khai sinh", "đổi họ cho con",
                 "cải chính ngày sinh", "xác định lại dân tộc"],
    "2.000806": ["kết hôn với người nước ngoài"],
    "1.001022": ["nhận cha con", "nhận con"],
    "2.001263": ["nhận con nuôi", "xin con nuôi"],
    "1.014063": ["đổi căn cước", "căn cước hết hạn"],
    "1.012566": ["xác nhận số chứng minh nhân dân", "giấy xác nhận cmnd cũ"],
    "3.000353": ["đổi bằng lái quốc tế"],
    "1.012790": ["đính chính sổ đỏ", "sửa sai sổ đỏ"],
    "1.013995": ["đăng ký nhà trên sổ đỏ", "bổ sung nhà vào sổ đỏ"],
    "1.001570": ["tạm ngừng hộ kinh doanh", "tạm nghỉ kinh doanh"],
    "1.011022": ["thuế khoán", "nộp thuế hộ kinh doanh"],
    "1.001294": ["mất thẻ bảo hiểm y tế"],
    "2.000639": ["làm thẻ bảo hiểm y tế"],
    "1.007674": ["thuế bán nhà", "thuế thừa kế nhà đất"],
    "1.001742": ["chuyển lương hưu"],
    "1.012784": ["tách sổ đỏ", "tách thửa đất"],
    "1.013079": ["đổi biển số xe", "đổi đăng ký xe", "đổi cà vẹt xe"],
    "1.013080": ["mất đăng ký xe", "mất cà vẹt xe", "mất biển số xe"],
    "1.013067": ["bấm biển số xe", "đăng ký xe mới mua"],
    "2.002029": ["tạm ngừng kinh doanh doanh nghiệp", "tạm ngừng kinh doanh công ty", "tạm dừng hoạt động công ty"],
    "1.013229": ["xin phép sửa nhà", "sửa chữa nhà"],
    "1.014632": ["mua nhà ở xã hội", "thuê nhà ở xã hội"],
    "1.013833": ["đăng ký biến động đất đai", "đổi tên trên sổ đỏ"],
    "1.012812": ["hòa giải đất đai"],
    "2.000986": ["liên thông khai sinh thường trú bảo hiểm y tế", "khai sinh nhập khẩu thẻ bảo hiểm y tế cho con"],
    "2.001023": ["liên thông khai sinh bảo hiểm y tế", "khai sinh và thẻ bảo hiểm y tế cho con"],
    "1.013949": ["xin giao đất", "thuê đất", "chuyển đất vườn lên đất ở", "lên thổ cư"],
    "1.013992": ["chuyển mục đích đất không phải xin phép"],
    "1.007695": ["thuế đất phi nông nghiệp", "thuế nhà đất hằng năm"],
    "2.000605": ["lương hưu cán bộ xã"],
    "1.001632": ["tai nạn lao động", "bị tai nạn lao động"],
    "1.001521": ["bệnh nghề nghiệp tái phát"],
    "1.010039": ["sửa thông tin cư trú", "điều chỉnh thông tin cư trú"],
    "1.014060": ["cập nhật thông tin căn cước", "tích hợp giấy tờ vào căn cước"],
    "1.012564": ["sửa thông tin dân cư", "điều chỉnh thông tin định danh"],
    "3.000351": ["đổi bằng lái nước ngoài"],
    "3.000352": ["thu hồi bằng lái"],
    "1.001777": ["giấy phép đào tạo lái xe", "xe tập lái"],
    "1.000703": ["giấy phép kinh doanh vận tải", "giấy phép xe kinh doanh"],
    "2.002288": ["phù hiệu xe", "phù hiệu xe tải", "phù hiệu taxi"],
    "1.013274": ["sử dụng vỉa hè", "mượn lòng đường", "dựng rạp đám cưới trên đường"],
    "2.002020": ["đóng chi nhánh", "đóng văn phòng đại diện"],
    "2.002018": ["mất giấy phép kinh doanh", "cấp lại giấy phép kinh doanh"],
    "1.008501": ["cấp lại mã số thuế", "mất giấy chứng nhận đăng ký thuế"],
    "1.008513": ["gia hạn nộp thuế", "xin gia hạn nộp thuế"],
    "1.008309": ["quyết toán thuế thu nhập cá nhân"],
    "1.007689": ["thuế cho thuê nhà"],
    "1.005136": ["xác nhận quốc tịch"],
    "1.001445": ["báo mất hộ chiếu"],
    "1.010384": ["khôi phục hộ chiếu"],
    "2.000587": ["cộng tác viên trợ giúp pháp lý"],
    "1.012888": ["ban quản trị chung cư"],
    "1.013237": ["chứng chỉ hành nghề xây dựng"],
    "2.001199": ["thành lập công ty hai thành viên"],
    "2.001583": ["thành lập công ty một thành viên"],
    "2.002009": ["tăng vốn điều lệ", "thay đổi vốn điều lệ"],
    "2.002023": ["giải thể công ty", "đóng cửa công ty"],
    "2.001016": ["từ chối nhận thừa kế"],
    "2.001406": ["chia thừa kế", "chia tài sản thừa kế", "phân chia di sản thừa kế"],
    "2.000913": ["sửa hợp đồng", "hủy hợp đồng"],
    "2.000927": ["sửa lỗi hợp đồng"],
    "2.000942": ["bản sao hợp đồng đã chứng thực"],
    "2.001035": ["chứng thực hợp đồng mua bán nhà đất", "công chứng hợp đồng mua bán đất"],
    "2.000992": ["chứng thực bản dịch"],
    "1.000689": ["khai sinh và nhận cha con"],
    "1.004746": ["kết hôn lại"],
    "2.002189": ["ghi chú kết hôn ở nước ngoài", "kết hôn ở nước ngoài"],
    "2.001255": ["đăng ký lại nuôi con nuôi"],
    "1.003160": ["người nước ngoài nhận con nuôi"],
}


def seed(apps, schema_editor):
    from motcua.catalog.normalize import key

    Synonym = apps.get_model("catalog", "Synonym")
    ColloquialName = apps.get_model("catalog", "ColloquialName")
    CatalogVersion = apps.get_model("catalog", "CatalogVersion")
    seen = set()
    for phrase, meaning in SYNONYMS:
        k = key(phrase)
        if k and k not in seen and k != key(meaning):
            seen.add(k)
            Synonym.objects.get_or_create(key=k, defaults={"phrase": phrase, "meaning": meaning})
    for code, names in COLLOQUIAL.items():
        for name in names:
            ColloquialName.objects.get_or_create(procedure_code=code, key=key(name), defaults={"name": name})
    CatalogVersion.objects.get_or_create(pk=1, defaults={"number": 1, "stamp": "seed"})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_synonyms_and_catalog_version")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
