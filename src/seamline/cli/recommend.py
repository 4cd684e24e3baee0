"""`seamline fit`, `seamline recommend`, `seamline similar`: recommenders in the workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.table import Table

from seamline.cli.common import JsonOpt, WorkspaceOpt, bars, emit, err, one_line_errors, out
from seamline.workspace import DEFAULT_WORKSPACE, Workspace

if TYPE_CHECKING:
    from seamline.recommend.base import Unknown


def _ensure_model(ws: Workspace, name: str | None, as_json: bool) -> Any:
    """The saved model; with none saved at all, fit MostPopular + EASE (ItemKNN when the
    catalog is too large for EASE), and the transfer model when two domains share users,
    and say so on stderr."""
    from seamline.recommend import store

    if name is None and not store.list_models(ws):
        err.print("no fitted recommender in this workspace: fitting mostpop + ease first")
        with bars(as_json) as progress:
            fitted = store.fit_defaults(ws, progress=progress)
            if store.fit_transfer(ws, progress=progress):  # two domains share users
                err.print("(and the transfer model, for users new to a domain)")
        if fitted[-1]["name"] != "ease":
            err.print(f"(the catalog is over EASE's item limit: fitted {fitted[-1]['name']})")
    return store.load_model(ws, name)


def _recs_table(title: str, recs: list[dict[str, Any]]) -> None:
    t = Table(title=title)
    t.add_column("#", justify="right")
    t.add_column("item")
    t.add_column("score", justify="right")
    t.add_column("because")
    for n, r in enumerate(recs, 1):
        t.add_row(str(n), r["item_id"], f"{r['score']:.4g}", ", ".join(r["because"]))
    out.print(t)


app = typer.Typer()


@app.command()
@one_line_errors
def fit(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    models: Annotated[
        str, typer.Option(help="Comma-separated: mostpop, userknn, itemknn, als, bpr, ease.")
    ] = "mostpop,ease",
    default: Annotated[
        str | None,
        typer.Option(help="Model to serve by default (else ease, als, itemknn, ... if fitted)."),
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Fit on one domain's events only.")] = None,
    half_life_days: Annotated[
        float | None, typer.Option(help="Time decay of event weights, in days.")
    ] = None,
    params: Annotated[
        str | None,
        typer.Option(
            help='Model parameters as JSON, e.g. {"ease": {"l2": 500, "recent_half_life": 5}}.'
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit recommenders on the workspace's events and save them under models/."""
    import json

    from seamline.errors import ConfigError
    from seamline.recommend import store

    try:
        model_params = json.loads(params) if params else {}
    except json.JSONDecodeError as e:
        raise ConfigError(f"--params is not valid JSON: {e}") from None
    if not isinstance(model_params, dict) or not all(
        isinstance(v, dict) for v in model_params.values()
    ):
        raise ConfigError('--params must map model names to objects: {"ease": {"l2": 500}}')

    names = [m.strip() for m in models.split(",") if m.strip()]
    if models.strip() == "all":
        from seamline.recommend.registry import in_domain_models

        names = in_domain_models()
    ws = Workspace(workspace)
    with bars(as_json) as progress:
        fitted = store.fit_models(
            ws,
            names,
            progress=progress,
            params=model_params,
            domain=domain,
            half_life_days=half_life_days,
        )
    if default:
        store.set_default(ws, default)
    elif store.get_default(ws) not in names:
        store.set_default(ws, store.preferred(names))
    data = {"default": store.get_default(ws), "models": fitted}

    def render(d: dict[str, Any]) -> None:
        for m in d["models"]:
            out.print(
                f"{m['name']}: {m['n_users']:,} users x {m['n_items']:,} items, "
                f"{m['seconds']:.2f} s -> {m['path']}"
            )
        out.print(f"default model: {d['default']}")

    emit(data, as_json, render)


@app.command()
@one_line_errors
def recommend(
    user: Annotated[str, typer.Option("--user", "-u", help="User id.")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    domain: Annotated[str | None, typer.Option(help="Recommend items of this domain only.")] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="How many items.")] = 10,
    model: Annotated[
        str | None, typer.Option(help="Saved model name (default: the default model).")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option(help="Keep these categories (repeatable).")
    ] = None,
    brand: Annotated[list[str] | None, typer.Option(help="Keep these brands (repeatable).")] = None,
    price_min: Annotated[float | None, typer.Option(help="Lowest price.")] = None,
    price_max: Annotated[float | None, typer.Option(help="Highest price.")] = None,
    include_seen: Annotated[
        bool, typer.Option(help="Also recommend items the user already has.")
    ] = False,
    unknown: Annotated[
        str, typer.Option(help="Unknown users: popular, segment or raise.")
    ] = "popular",
    rerank: Annotated[
        bool, typer.Option(help="Re-rank with the trained ranker (seamline fit-ranker), if any.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Top-k items for a user, each with the history items that explain it."""
    from seamline.recommend.store import load_transfer
    from seamline.recommend.transfer.route import prefer_transfer

    ws = Workspace(workspace)
    m = _ensure_model(ws, model, as_json)
    if model is None:  # a cold user in the asked domain is served by the transfer model
        transfer = load_transfer(ws)
        if transfer is not None and prefer_transfer(m, transfer, user, domain):
            err.print(f"user {user!r} has little {domain} history: the transfer model serves")
            m = transfer
    filters = {  # the model skips filters that are None
        "category": category or None,
        "brand": brand or None,
        "price_min": price_min,
        "price_max": price_max,
    }
    ranker = None
    if rerank:
        from seamline.recommend.rank.store import load_ranker

        ranker = load_ranker(ws)
    used = ranker is not None and ranker.applies_to(m, user)
    if ranker is not None and used:
        recs = ranker.recommend(m, user, k, domain=domain, exclude_seen=not include_seen,
                                filters=filters, unknown=cast("Unknown", unknown))  # fmt: skip
    else:
        recs = m.recommend([user], k=k, domain=domain, exclude_seen=not include_seen,
                           filters=filters, unknown=unknown)[0]  # fmt: skip
    if user not in m.users_ and user not in m.folded_:
        err.print(f"user {user!r} is unknown to the model: {unknown} items")
    emit(
        [r.to_dict() for r in recs],
        as_json,
        lambda d: _recs_table(
            f"{m.name}{' + ' + ranker.ranker.name if ranker and used else ''} for {user}"
            + (f" ({domain})" if domain else ""),
            d,
        ),
    )


@app.command()
@one_line_errors
def similar(
    item: Annotated[str, typer.Option("--item", "-i", help="Item id.")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="How many items.")] = 10,
    model: Annotated[
        str | None, typer.Option(help="Saved model name (default: the default model).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Items most similar to an item, by the model's own similarity."""
    m = _ensure_model(Workspace(workspace), model, as_json)
    recs = m.similar_items(item, k=k)
    emit(
        [r.to_dict() for r in recs],
        as_json,
        lambda d: _recs_table(f"{m.name}: similar to {item}", d),
    )
