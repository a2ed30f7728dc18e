"""Section (g) of the performance report is written once, in place."""

from bench.codec import HEADING, CodecResult, update_report


def test_the_codec_section_is_replaced_not_repeated(tmp_path):
    report = tmp_path / "PERFORMANCE.md"
    report.write_text("# Performance\n\n## (f) Browser\n\nx\n\n## Not met\n\n- none\n")
    update_report(CodecResult(12.0, 20.0, 4096, 5, 9), report)
    update_report(CodecResult(13.5, 21.0, 4096, 5, 9), report)
    text = report.read_text()
    assert text.count(HEADING) == 1 and "13.5 ms" in text and "12.0 ms" not in text
    assert text.index("## (f) Browser") < text.index(HEADING) < text.index("## Not met")
