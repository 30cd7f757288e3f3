from corpus_tools.clean import clean_span, normalise_for_matching


def _assert_maps_back(original: str, cleaned: str, offsets) -> None:
    for pos, char in enumerate(cleaned):
        source = original[offsets.to_original(pos)]
        if char not in ' "\'.':
            assert source == char, (pos, char, source)


def test_missing_space_after_full_stop_is_restored():
    text = "perhaps it is not an exaggeration.Once, we thought"
    cleaned, offsets = clean_span(text)
    assert "exaggeration. Once" in cleaned
    start = cleaned.index("Once")
    assert offsets.span_to_original(start, start + 4) == (text.index("Once"), text.index("Once") + 4)
    _assert_maps_back(text, cleaned, offsets)


def test_abbreviations_and_dotted_names_are_left_alone():
    for text in ("The U.S.A market", "built with Node.js today", "version 2.0 shipped"):
        assert clean_span(text)[0] == text


def test_quotes_and_whitespace_normalised_but_offsets_quote_the_original():
    text = "Digital retail is not for \u201ctraffic\u201d,   but\tfor \u201creserve\u201d"
    cleaned, offsets = clean_span(text)
    assert cleaned == 'Digital retail is not for "traffic", but for "reserve"'
    start = cleaned.index('"reserve"')
    a, b = offsets.span_to_original(start, start + len('"reserve"'))
    assert text[a:b] == "\u201creserve\u201d"
    _assert_maps_back(text, cleaned, offsets)


def test_span_of_a_larger_text_uses_its_offsets():
    text = "Title\n\n- Multi-channel retail stage\n"
    start = text.index("-")
    cleaned, offsets = clean_span(text, start, text.index("\n", start))
    assert cleaned == "Multi-channel retail stage"
    assert text[offsets.to_original(0)] == "M"


def test_normalise_for_matching_folds_case_and_quotes():
    assert normalise_for_matching("The \u201cPlatform\u201d") == 'the "platform"'
