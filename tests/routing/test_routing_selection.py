"""Distribution-center selection F(j) and driver selection f(l) with notify-x / first-within-y."""

import pytest
from hypothesis import given, settings, strategies as st

from protocols.routing.center_selection import NO_CENTER, Center, Order, select_center
from protocols.routing.driver_selection import (
    NO_DRIVER,
    NO_RESPONSE,
    Driver,
    notify_drivers,
    pick_responder,
    select_driver,
)

W5 = (0.2, 0.2, 0.2, 0.2, 0.2)
ORDER = Order(customer=(0.0, 0.0), quantities={"milk": 2, "bread": 2}, worth=100.0)


def _center(cid, x, **kw):
    base = dict(reputation=0.5, since_last_order=10.0, stock={"milk": 5, "bread": 5}, tokens=100.0)
    base.update(kw)
    return Center(cid, (x, 0.0), **base)


def test_center_score_by_hand():
    a = _center(1, 3.0, reputation=0.9, since_last_order=5.0, expiring_soon={"milk": 2}, tokens=50.0)
    b = _center(2, 6.0, reputation=0.4, since_last_order=20.0)
    choice = select_center(ORDER, [a, b], radius=10.0, weights=W5)
    fa = 0.2 * (0.3 + 0.1 + (1 - 5 / 20) + (1 - 2 / 4) + 50 / 100)
    fb = 0.2 * (0.6 + 0.6 + 0.0 + 1.0 + 0.0)
    scores = {s.id: s.score for s in choice.scores}
    assert scores[1] == pytest.approx(fa) and scores[2] == pytest.approx(fb)
    assert choice.center == (1 if fa < fb else 2)


def test_each_eligibility_filter_excludes():
    far = _center(1, 11.0)
    closed = _center(2, 1.0, is_open=False)
    short = _center(3, 1.0, stock={"milk": 5, "bread": 1})
    ok = _center(4, 9.0, reputation=0.0)
    choice = select_center(ORDER, [far, closed, short, ok], radius=10.0, weights=W5)
    assert choice.center == 4
    assert "outside radius" in choice.excluded[1]
    assert choice.excluded[2] == "closed"
    assert "bread" in choice.excluded[3]


def test_nobody_eligible_is_a_clear_result():
    choice = select_center(ORDER, [_center(1, 50.0), _center(2, 1.0, is_open=False)], radius=10.0, weights=W5)
    assert choice.center is None and not choice.served
    assert choice.reason == NO_CENTER and set(choice.excluded) == {1, 2}
    assert select_center(ORDER, [], radius=10.0, weights=W5).reason == NO_CENTER


def test_ties_go_to_the_lowest_id_and_zero_idle_time_is_neutral():
    same = [_center(7, 2.0, since_last_order=0.0), _center(3, 2.0, since_last_order=0.0)]
    choice = select_center(ORDER, same, radius=10.0, weights=W5)
    assert choice.center == 3
    assert all(s.terms[2] == 0.0 for s in choice.scores)  # tau = 1 for all when nobody waited


@pytest.mark.parametrize(
    "weights, match",
    [((0.5, 0.5, 0.5, 0.0, 0.0), "sum to"), ((1.2, -0.2, 0, 0, 0), "\\[1, 1\\]|\\[0, 1\\]"), ((1.0,), "expected 5")],
)
def test_weights_are_validated(weights, match):
    with pytest.raises(ValueError, match=match):
        select_center(ORDER, [_center(1, 1.0)], radius=10.0, weights=weights)


def test_bad_inputs_name_the_field():
    with pytest.raises(ValueError, match="reputation"):
        select_center(ORDER, [_center(1, 1.0, reputation=1.5)], radius=10.0, weights=W5)
    with pytest.raises(ValueError, match="radius"):
        select_center(ORDER, [_center(1, 1.0)], radius=0.0, weights=W5)
    with pytest.raises(ValueError, match="ids must be unique"):
        select_center(ORDER, [_center(1, 1.0), _center(1, 2.0)], radius=10.0, weights=W5)
    with pytest.raises(ValueError, match="quantities"):
        select_center(Order((0, 0), {"milk": 0}, 1.0), [_center(1, 1.0)], radius=10.0, weights=W5)


centers = st.lists(
    st.builds(
        lambda x, rep, t, exp, tok, open_: _center(0, x, reputation=rep, since_last_order=t,
                                                   expiring_soon={"milk": exp}, tokens=tok, is_open=open_),
        st.floats(0, 15), st.floats(0, 1), st.floats(0, 100), st.integers(0, 3), st.floats(0, 200), st.booleans(),
    ),
    max_size=8,
)
weights5 = st.lists(st.integers(0, 10), min_size=5, max_size=5).filter(sum).map(lambda w: tuple(v / sum(w) for v in w))


@given(centers, weights5)
@settings(max_examples=80, deadline=None)
def test_chosen_center_minimises_f_among_eligible(raw, weights):
    cs = [Center(k, c.location, c.reputation, c.since_last_order, c.stock, c.expiring_soon, c.tokens, c.is_open)
          for k, c in enumerate(raw)]
    choice = select_center(ORDER, cs, radius=10.0, weights=weights)
    eligible = [c for c in cs if c.is_open and abs(c.location[0]) <= 10.0]
    if not eligible:
        assert choice.center is None
        return
    assert {s.id for s in choice.scores} == {c.id for c in eligible}
    best = min(choice.scores, key=lambda s: (s.score, s.id))
    assert choice.center == best.id
    for s in choice.scores:
        assert 0.0 <= s.score <= 1.0 + 1e-12  # normalised terms, convex weights


# --- drivers ---------------------------------------------------------------------------

W3 = (0.5, 0.3, 0.2)
CENTER = (0.0, 0.0)


def _driver(did, x, rep=0.5, idle=10.0, cap=10.0, **kw):
    return Driver(did, (x, 0.0), rep, idle, cap, **kw)


def test_driver_score_by_hand_and_top_x():
    ds = [_driver(1, 2.0, rep=0.9, idle=20.0), _driver(2, 8.0, rep=0.5, idle=5.0), _driver(3, 4.0, rep=0.7, idle=10.0)]
    note = notify_drivers(ds, CENTER, radius=10.0, load=3.0, weights=W3, x=2)
    f = {1: 0.5 * 0.2 + 0.3 * 0.1 + 0.0, 2: 0.5 * 0.8 + 0.3 * 0.5 + 0.2 * 0.75, 3: 0.5 * 0.4 + 0.3 * 0.3 + 0.2 * 0.5}
    assert [s.id for s in note.notified] == [1, 3]
    for s in note.notified:
        assert s.score == pytest.approx(f[s.id])


def test_driver_filters():
    ds = [
        _driver(1, 20.0),
        _driver(2, 1.0, available=False),
        _driver(3, 1.0, cap=1.0),
        _driver(4, 1.0),
        _driver(5, 5.0, equipment=frozenset({"fridge"})),
    ]
    note = notify_drivers(ds, CENTER, radius=10.0, load=3.0, weights=W3, x=5, needs={"fridge"})
    assert [s.id for s in note.notified] == [5]
    assert "outside radius" in note.excluded[1] and note.excluded[2] == "not available"
    assert "capacity" in note.excluded[3] and "fridge" in note.excluded[4]


def test_first_response_within_y_prefers_best_score():
    ds = [_driver(1, 1.0, rep=1.0), _driver(2, 5.0), _driver(3, 9.0, rep=0.0)]
    note = notify_drivers(ds, CENTER, 10.0, 1.0, W3, x=3)
    order = [s.id for s in note.notified]
    assert order == [1, 2, 3]
    # 3 answers first; 1 answers within y -> 1 wins (better f)
    assert pick_responder(note, [(3, 10.0), (1, 12.0), (2, 11.0)], y=2.0).driver == 1
    # 1 answers too late -> best inside the window is 2
    assert pick_responder(note, [(3, 10.0), (1, 12.5), (2, 11.0)], y=2.0).driver == 2
    # window edge is inclusive
    assert pick_responder(note, [(3, 10.0), (1, 12.0)], y=2.0).driver == 1
    # y = 0: first responder wins
    assert pick_responder(note, [(3, 10.0), (1, 10.5)], y=0.0).driver == 3


def test_responses_from_unnotified_drivers_are_ignored():
    ds = [_driver(1, 1.0, rep=1.0), _driver(2, 5.0), _driver(3, 9.0, rep=0.0)]
    note = notify_drivers(ds, CENTER, 10.0, 1.0, W3, x=1)
    assert pick_responder(note, [(2, 1.0), (3, 1.0)], y=100.0).reason == NO_RESPONSE
    assert pick_responder(note, [(2, 1.0), (1, 50.0)], y=0.0).driver == 1


def test_no_eligible_driver_and_no_response_are_clear_results():
    choice = select_driver([_driver(1, 50.0)], CENTER, 10.0, 1.0, W3, x=2, y=1.0, responses=[(1, 0.0)])
    assert choice.driver is None and choice.reason == NO_DRIVER
    choice = select_driver([_driver(1, 5.0)], CENTER, 10.0, 1.0, W3, x=2, y=1.0, responses=[])
    assert choice.driver is None and choice.reason == NO_RESPONSE


def test_driver_inputs_are_validated():
    with pytest.raises(ValueError, match="x: must notify"):
        notify_drivers([_driver(1, 1.0)], CENTER, 10.0, 1.0, W3, x=0)
    with pytest.raises(ValueError, match="weights"):
        notify_drivers([_driver(1, 1.0)], CENTER, 10.0, 1.0, (0.5, 0.6, 0.0), x=1)
    with pytest.raises(ValueError, match="driver 1: reputation"):
        notify_drivers([_driver(1, 1.0, rep=-0.1)], CENTER, 10.0, 1.0, W3, x=1)
    with pytest.raises(ValueError, match="y:"):
        pick_responder(notify_drivers([_driver(1, 1.0)], CENTER, 10.0, 1.0, W3, x=1), [], y=-1)


@given(
    st.lists(st.tuples(st.floats(0, 12), st.floats(0, 1), st.floats(0, 50)), min_size=1, max_size=8),
    st.integers(1, 4),
    st.lists(st.tuples(st.integers(0, 7), st.floats(0, 20)), max_size=10),
    st.floats(0, 5),
)
@settings(max_examples=80, deadline=None)
def test_winner_rule_properties(raw, x, responses, y):
    ds = [_driver(k, d, rep, idle) for k, (d, rep, idle) in enumerate(raw)]
    note = notify_drivers(ds, CENTER, 10.0, 1.0, W3, x)
    notified = {s.id: s.score for s in note.notified}
    assert len(notified) <= x
    # nobody left out scores better than someone notified
    eligible = [d for d in ds if abs(d.location[0]) <= 10.0]
    assert len(notified) == min(x, len(eligible))
    choice = pick_responder(note, responses, y)
    valid = [(d, t) for d, t in responses if d in notified]
    if not valid:
        assert choice.driver is None
        return
    first = min(t for _, t in valid)
    inside = {d for d, t in valid if t <= first + y}
    assert choice.driver in inside
    assert notified[choice.driver] == min(notified[d] for d in inside)
