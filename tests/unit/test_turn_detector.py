from voicebot.turns.detector import (
    BargeIn,
    NoiseIgnored,
    Pause,
    SpeechEnded,
    SpeechStarted,
    TurnConfig,
    TurnDetector,
)

W = 0.032  # one VAD window


def run(detector, probs, start=0.0):
    events, t = [], start
    for p in probs:
        t += W
        events += detector.push(p, t, W)
    return events, t


def windows(seconds):
    return round(seconds / W)


def test_speech_then_silence_is_one_turn():
    det = TurnDetector(TurnConfig(min_speech=0.2, end_silence=0.7))
    events, _ = run(det, [0.0] * 5 + [0.9] * windows(1.0) + [0.05] * windows(1.0))
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, BargeIn, Pause, SpeechEnded]
    started, _, pause, ended = events
    assert pause.last_voiced == ended.last_voiced
    assert abs(started.onset - 5 * W) < 1e-9
    assert abs(ended.last_voiced - (5 + windows(1.0)) * W) < 1e-9
    # Ended once 0.7 s of silence had passed, not before.
    assert 0.7 <= ended.at - ended.last_voiced < 0.7 + W


def test_a_blip_shorter_than_min_speech_is_noise():
    det = TurnDetector(TurnConfig(min_speech=0.2))
    events, _ = run(det, [0.9] * windows(0.1) + [0.0] * windows(0.5))
    assert [type(e) for e in events] == [NoiseIgnored]


def test_backchannel_starts_speech_but_does_not_barge_in():
    det = TurnDetector(TurnConfig(min_speech=0.2, barge_in_speech=0.45, end_silence=0.5))
    events, _ = run(det, [0.9] * windows(0.3) + [0.0] * windows(0.8))
    assert [type(e) for e in events] == [SpeechStarted, Pause, SpeechEnded]


def test_barge_in_once_voiced_time_reaches_threshold():
    det = TurnDetector(TurnConfig(min_speech=0.2, barge_in_speech=0.45))
    events, _ = run(det, [0.9] * windows(0.3))
    assert [type(e) for e in events] == [SpeechStarted]
    more, _ = run(det, [0.9] * windows(0.3), start=windows(0.3) * W)
    [barge] = more
    assert isinstance(barge, BargeIn)
    assert barge.at - barge.onset >= 0.45 - 1e-9
    again, _ = run(det, [0.9] * windows(1.0), start=windows(0.6) * W)
    assert again == []  # only once per utterance


def test_hysteresis_keeps_speech_through_middling_probabilities():
    det = TurnDetector(TurnConfig(threshold=0.5, end_silence=0.3))
    events, _ = run(det, [0.9] * windows(0.4) + [0.4] * windows(1.0) + [0.1] * windows(0.4))
    ends = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(ends) == 1
    # 0.4 is above threshold - 0.15: still speech, so the end came only after the 0.1s.
    assert ends[0].at > windows(1.4) * W


def test_pauses_shorter_than_end_silence_stay_in_one_turn():
    det = TurnDetector(TurnConfig(end_silence=1.3))
    digits = ([0.9] * windows(0.4) + [0.0] * windows(0.9)) * 3 + [0.0] * windows(1.5)
    events, _ = run(det, digits)
    assert [type(e) for e in events].count(SpeechEnded) == 1


def test_end_silence_can_change_between_turns():
    det = TurnDetector(TurnConfig(end_silence=1.3))
    det.end_silence = 0.3
    events, _ = run(det, [0.9] * windows(0.4) + [0.0] * windows(0.4))
    assert any(isinstance(e, SpeechEnded) for e in events)


def test_overlong_turn_is_forced_to_end():
    det = TurnDetector(TurnConfig(max_turn=2.0))
    events, _ = run(det, [0.9] * windows(2.5))
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert ended and ended[0].forced


def test_two_short_sounds_a_second_apart_do_not_add_up_to_a_barge_in():
    det = TurnDetector(TurnConfig(barge_in_speech=0.5, end_silence=1.3))
    mm = [0.9] * windows(0.35)
    events, _ = run(det, mm + [0.0] * windows(1.0) + mm + [0.0] * windows(1.5))
    kinds = [type(e) for e in events]
    assert BargeIn not in kinds
    assert kinds == [SpeechStarted, Pause, Pause, SpeechEnded]


def test_short_gaps_inside_speech_do_not_restart_the_barge_in_count():
    det = TurnDetector(TurnConfig(barge_in_speech=0.5, barge_in_gap=0.3))
    words = ([0.9] * windows(0.2) + [0.0] * windows(0.1)) * 3
    events, _ = run(det, words)
    assert BargeIn in [type(e) for e in events]


def test_one_pause_per_silence_and_none_for_short_gaps():
    det = TurnDetector(TurnConfig(pause_silence=0.25, end_silence=1.3))
    speech = [0.9] * windows(0.5)
    events, _ = run(det, speech + [0.0] * windows(0.15) + speech + [0.0] * windows(0.6)
                    + speech + [0.0] * windows(1.5))
    pauses = [e for e in events if isinstance(e, Pause)]
    assert len(pauses) == 2  # the 0.15 s gap is too short to be a pause
    assert pauses[0].last_voiced < pauses[1].last_voiced
    [end] = [e for e in events if isinstance(e, SpeechEnded)]
    # The last pause is the turn's end: same last voiced instant, so a guess made
    # at the pause is the transcript of the whole turn.
    assert end.last_voiced == pauses[1].last_voiced


def test_a_voice_onset_is_reported_before_the_turn_is_confirmed():
    from voicebot.turns.detector import VoiceOnset

    det = TurnDetector(TurnConfig(min_speech=0.2, barge_in_speech=0.5, hold_speech=0.1))
    events, _ = run(det, [0.0] * 3 + [0.9] * windows(0.7) + [0.0] * windows(1.0))
    kinds = [type(e) for e in events]
    assert kinds[:3] == [VoiceOnset, SpeechStarted, BargeIn]
    onset = events[0]
    assert 0.1 <= onset.at - onset.onset < 0.1 + W  # at once, not after min_speech
    assert kinds.count(VoiceOnset) == 1  # once per utterance


def test_a_cough_is_an_onset_then_noise():
    from voicebot.turns.detector import VoiceOnset

    det = TurnDetector(TurnConfig(min_speech=0.2, hold_speech=0.1))
    events, _ = run(det, [0.9] * windows(0.13) + [0.0] * windows(0.5))
    assert [type(e) for e in events] == [VoiceOnset, NoiseIgnored]
    again, _ = run(det, [0.9] * windows(0.13) + [0.0] * windows(0.5), start=1.0)
    assert [type(e) for e in again] == [VoiceOnset, NoiseIgnored]  # a new utterance


def test_no_voice_onset_unless_asked():
    det = TurnDetector(TurnConfig(min_speech=0.2))
    events, _ = run(det, [0.9] * windows(0.7) + [0.0] * windows(1.0))
    assert {type(e).__name__ for e in events} == {"SpeechStarted", "BargeIn", "Pause",
                                                  "SpeechEnded"}


def test_a_turn_ends_early_only_while_the_caller_is_still_silent():
    det = TurnDetector(TurnConfig(min_speech=0.2, end_silence=0.7, pause_silence=0.25))
    events, t = run(det, [0.9] * windows(0.6) + [0.0] * windows(0.3))
    [pause] = [e for e in events if isinstance(e, Pause)]
    ended = det.end_now(pause.last_voiced, t)  # the words were a whole answer
    assert isinstance(ended, SpeechEnded) and ended.last_voiced == pause.last_voiced
    later, _ = run(det, [0.0] * windows(1.0), start=t)
    assert later == []  # the same turn does not end twice
    assert det.end_now(pause.last_voiced, t + 1) is None


def test_no_early_end_once_the_caller_goes_on():
    det = TurnDetector(TurnConfig(min_speech=0.2, end_silence=0.7, pause_silence=0.25))
    events, t = run(det, [0.9] * windows(0.6) + [0.0] * windows(0.3))
    [pause] = [e for e in events if isinstance(e, Pause)]
    more, t = run(det, [0.9] * windows(0.3), start=t)  # "...two zero zero"
    assert det.end_now(pause.last_voiced, t) is None


def test_digits_are_given_longer_to_end():
    det = TurnDetector(TurnConfig(end_silence=0.7, digits_end_silence=1.3))
    det.expect_digits(True)
    events, t = run(det, [0.9] * windows(0.8) + [0.05] * windows(1.0))
    assert not any(isinstance(e, SpeechEnded) for e in events)  # a pause between groups
    events, _ = run(det, [0.05] * windows(0.4), t)
    assert [type(e) for e in events] == [SpeechEnded]
    det.expect_digits(False)
    assert det.end_silence == 0.7
    # Without a longer silence configured, digits wait as long as anything else.
    plain = TurnDetector(TurnConfig(end_silence=0.7))
    plain.expect_digits(True)
    assert plain.end_silence == 0.7
