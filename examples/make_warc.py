"""Build examples/corpus/crawl.warc.gz: a tiny, deterministic web crawl for newsgraph.

Two HTML pages (a news article and a government communiqué, both written for
newsgraph's examples, not real publications) are stored as WARC request and
response records, preceded by a warcinfo record. Record ids and dates are fixed,
so running this script again produces the same bytes.

    .venv/bin/python examples/make_warc.py
"""
from __future__ import annotations

import uuid
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).with_name("corpus") / "crawl.warc.gz"
NAMESPACE = uuid.UUID("6f1d2c1e-8a43-4a55-9a7e-0c2b5e1d4f10")

PAGE_AFRICA_CORPS = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Russian Africa Corps contingent arrives in Burkina Faso | Sahel Wire</title>
<meta property="og:title" content="Russian Africa Corps contingent arrives in Burkina Faso">
<meta property="og:site_name" content="Sahel Wire">
<meta property="article:published_time" content="2024-01-26T14:05:00+00:00">
<meta name="author" content="Aminata Sawadogo">
</head>
<body>
<div class="cookies">We use cookies to analyse traffic. <a href="/privacy">Privacy</a> <button>Accept</button></div>
<nav><a href="/">Home</a> | <a href="/africa">Africa</a> | <a href="/security">Security</a> | <a href="/opinion">Opinion</a></nav>
<article>
<h1>Russian Africa Corps contingent arrives in Burkina Faso</h1>
<p class="byline">By Aminata Sawadogo</p>
<p>MOSCOW/OUAGADOUGOU, Jan 26 (Sahel Wire) - About 100 Russian military personnel have arrived in Burkina Faso, the Africa Corps, a new Russian military formation for the continent, said on its Telegram channel, the first deployment announced publicly under its name.</p>
<p>The group landed in Ouagadougou on Wednesday and would be followed by around 200 more in the coming weeks, the channel said. Their mission, according to the post, is to ensure the personal security of Capt. Traor\u00e9 and to protect the population from terrorist attacks. A Burkinabe government official confirmed the arrival but declined to give details.</p>
<p>The Africa Corps is run by Russia's Defence Ministry and is recruiting, among others, former members of the Wagner Group, whose founder Yevgeny Prigozhin was killed in a plane crash in August after leading a short-lived mutiny in June. Western officials see the corps as the state's way of taking direct control of Wagner's African operations.</p>
<p>Deputy Defence Minister Yunus-Bek Yevkurov has visited Ouagadougou several times since last August, when he and Captain Ibrahim Traor\u00e9 discussed training for the Burkinabe army and the supply of equipment. Defence Minister Sergey Shoygu said in December that Russia intended to expand military cooperation with African countries \u201cthat have chosen the path of sovereign development\u201d.</p>
<p>\u201cThis is a partnership between states, not a favour,\u201d a Burkinabe security official told Sahel Wire, asking not to be named. \u201cWe train with whoever helps us win.\u201d</p>
<p>Burkina Faso ended a military agreement with France last year and French special forces left the country in February. The government has also suspended several French media outlets, accusing them of spreading terrorist propaganda.</p>
<p>Russia reopened its embassy in Ouagadougou in December. Human rights groups say that the army and allied civilian militias have killed hundreds of civilians in operations against jihadists since 2023, accusations the government rejects.</p>
</article>
<footer>&copy; 2024 Sahel Wire | <a href="/about">About</a> | <a href="/contact">Contact</a></footer>
</body>
</html>
"""

PAGE_MALI_COMMUNIQUE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Communiqu\u00e9 of the Transitional Government: severance of diplomatic relations with Ukraine | Government of Mali</title>
<meta property="og:title" content="Communiqu\u00e9 of the Transitional Government: severance of diplomatic relations with Ukraine">
<meta property="og:site_name" content="Government of the Republic of Mali">
</head>
<body>
<header><a href="/">R\u00e9publique du Mali \u2013 Un Peuple, Un But, Une Foi</a>
<nav><a href="/">Accueil</a> | <a href="/gouvernement">Gouvernement</a> | <a href="/communiques">Communiqu\u00e9s</a> | <a href="/en">English</a></nav></header>
<main>
<article>
<h1>Communiqu\u00e9 of the Transitional Government: severance of diplomatic relations with Ukraine</h1>
<p class="date"><time datetime="2024-08-04">4 August 2024</time></p>
<p>The Transitional Government of the Republic of Mali has learned with great consternation of the subversive remarks made by Mr Andriy Yusov, spokesperson of the Ukrainian military intelligence, who admitted Ukraine's involvement in the cowardly, treacherous and barbaric attack by armed terrorist groups that caused the death of members of the Malian Defence and Security Forces in Tinzaouaten from 25 to 27 July 2024.</p>
<p>These remarks were confirmed by the ambassador of Ukraine in Senegal, who expressed the unambiguous support of his country for international terrorism.</p>
<p>The Transitional Government condemns in the strongest terms this interference by Kiev, which violates the sovereignty of Mali, goes beyond foreign interference and constitutes an aggression against Mali and a support for international terrorism.</p>
<p>In view of the above, the Transitional Government, under the leadership of His Excellency Colonel Assimi Go\u00efta, President of the Transition, Head of State, decides to sever diplomatic relations between the Republic of Mali and Ukraine with immediate effect.</p>
<p>The Transitional Government will also refer the matter to the competent international bodies, as these remarks constitute support for terrorism.</p>
<p>The Transitional Government reiterates its determination to fight terrorism in all its forms, and assures the people that everything will be done to identify and bring to justice the sponsors and accomplices of these terrorist acts.</p>
<p>The Transitional Government renews its condolences to the families of the victims and wishes a speedy recovery to the wounded.</p>
<p class="signature">Bamako, 4 August 2024<br>
Colonel Abdoulaye Ma\u00efga<br>
Minister of Territorial Administration and Decentralization, Government Spokesperson</p>
</article>
</main>
<footer>Secr\u00e9tariat G\u00e9n\u00e9ral du Gouvernement \u2013 Bamako</footer>
</body>
</html>
"""

# (url, html, Last-Modified / Date header, WARC-Date of the capture)
PAGES = [
    (
        "https://sahelwire.example.com/2024/01/26/russian-africa-corps-burkina-faso",
        PAGE_AFRICA_CORPS,
        "Fri, 26 Jan 2024 14:05:00 GMT",
        "2024-01-27T08:00:00Z",
    ),
    (
        "https://gouvernement-mali.example.ml/en/communiques/2024/08/04/severance-relations-ukraine",
        PAGE_MALI_COMMUNIQUE,
        "Sun, 04 Aug 2024 21:30:00 GMT",
        "2024-08-05T08:00:00Z",
    ),
]


def record_id(name: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, name)}>"


def build(path: Path = OUT) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.0")

        info = writer.create_warcinfo_record(
            path.name,
            {"software": "newsgraph examples/make_warc.py", "format": "WARC File Format 1.0",
             "description": "Illustrative pages written for newsgraph's tests and demo"},
        )
        info.rec_headers.replace_header("WARC-Record-ID", record_id("warcinfo"))
        info.rec_headers.replace_header("WARC-Date", "2024-08-05T08:00:00Z")
        writer.write_record(info)

        for url, html, http_date, warc_date in PAGES:
            body = html.encode("utf-8")
            host = url.split("/")[2]
            path_part = "/" + url.split("/", 3)[3]

            req_headers = StatusAndHeaders(
                f"GET {path_part} HTTP/1.1",
                [("Host", host), ("User-Agent", "newsgraph-example-crawler/0.1"),
                 ("Accept", "text/html")],
                is_http_request=True,
            )
            req_id = record_id("request " + url)
            resp_id = record_id("response " + url)
            request = writer.create_warc_record(
                url, "request", payload=BytesIO(b""), length=0, http_headers=req_headers,
                warc_headers_dict={"WARC-Record-ID": req_id, "WARC-Date": warc_date,
                                   "WARC-Concurrent-To": resp_id},
            )

            http_headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"),
                 ("Content-Length", str(len(body))),
                 ("Date", http_date),
                 ("Last-Modified", http_date)],
                protocol="HTTP/1.1",
            )
            response = writer.create_warc_record(
                url, "response", payload=BytesIO(body), length=len(body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": warc_date},
            )
            writer.write_record(response)
            writer.write_record(request)
    return path


if __name__ == "__main__":
    print(build())
