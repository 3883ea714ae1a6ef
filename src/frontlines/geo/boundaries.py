"""Admin boundary layers users bring (geoBoundaries, OCHA COD-AB, the ESOC 398 districts): import, match, query.

`import_boundaries` reads a GeoJSON file (json + shapely; Shapefile/GeoPackage need `pyogrio`), matches every
feature to a gazetteer admin code and stores the polygons in the store's `boundaries` table, one named layer per
import (re-importing a layer replaces it). Matching, in order:
1. a property whose value is a gazetteer code of the wanted level (e.g. a GeoNames `AF.23.2411` ADM2 code);
2. the feature's name and admin1 name, through the gazetteer's name keys and transliteration variants.
Features that match neither are stored with `code = NULL` and listed in the report.

`BoundaryLayer.district_of_point(lat, lon)` answers point-in-polygon through a shapely STRtree.

The `boundaries` table comes with the store's Alembic migration 0002; on a bare engine (tests, tools) it is
created here with CREATE TABLE IF NOT EXISTS, and the migration skips a table that is already there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from shapely import STRtree
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, delete, insert, select

from frontlines.config import DbOption
from frontlines.store.models import BoundaryRow

# The table is the store's (models.BoundaryRow, Alembic revision 0002).
boundaries_table = BoundaryRow.__table__

_CODE_RE = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9.]+$")  # GeoNames admin codes: AF.23, AF.23.2411
# Property keys tried for names, most specific first (geoBoundaries, OCHA COD-AB, GADM, ESOC, generic).
_NAME_KEYS = {
    1: ("adm1_name_geonames", "shapeName", "ADM1_EN", "NAME_1", "prov_name", "PROV_NAME", "name", "NAME"),
    2: ("adm2_name_geonames", "shapeName", "ADM2_EN", "NAME_2", "dist_name_esoc", "dist_name", "DIST_NAME",
        "name", "NAME"),
}  # fmt: skip
_ADMIN1_KEYS = (
    "adm1_name_geonames",
    "ADM1_EN",
    "NAME_1",
    "prov_name_esoc",
    "prov_name",
    "PROV_NAME",
    "province",
)
_ID_KEYS = ("shapeID", "distid", "ADM2_PCODE", "ADM1_PCODE", "GID_2", "GID_1", "id", "ID")
_ISO_KEYS = ("shapeGroup", "ADM0_PCODE", "GID_0", "iso3", "ISO3", "ISO")
_KIND_OF_LEVEL = {1: "admin1", 2: "admin2"}


class BoundaryError(Exception):
    """A file that cannot be read as a boundary layer (with the reason, e.g. a missing package)."""


@dataclass(slots=True)
class ImportReport:
    layer: str
    path: str
    level: int
    features: int = 0
    matched: int = 0
    matched_by_code: int = 0
    matched_by_name: int = 0
    unmatched: list[str] = field(default_factory=list)  # "name (admin1)" of each unmatched feature
    duplicates: list[str] = field(default_factory=list)  # gazetteer codes given to more than one feature

    def summary(self) -> str:
        s = (f"layer {self.layer!r} (admin level {self.level}) from {self.path}: {self.features} features, "
             f"{self.matched} matched to gazetteer codes ({self.matched_by_code} by code, "
             f"{self.matched_by_name} by name), {len(self.unmatched)} unmatched")  # fmt: skip
        if self.unmatched:
            s += ": " + "; ".join(self.unmatched[:20]) + (" ..." if len(self.unmatched) > 20 else "")
        if self.duplicates:
            s += f"; codes on more than one feature: {', '.join(self.duplicates[:20])}"
        return s


def ensure_table(engine: Engine) -> None:
    BoundaryRow.metadata.create_all(engine, tables=[boundaries_table])  # CREATE TABLE IF NOT EXISTS


def _engine(store_or_engine: Any) -> Engine:
    return store_or_engine.engine if hasattr(store_or_engine, "engine") else store_or_engine


def read_features(path: str | Path) -> Iterator[tuple[dict[str, Any], BaseGeometry]]:
    """(properties, geometry) of each feature of a GeoJSON, Shapefile or GeoPackage file (WGS84 assumed)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".geojson", ".json"):
        with p.open(encoding="utf-8") as f:
            data = json.load(f)
        feats = data.get("features") if data.get("type") == "FeatureCollection" else [data]
        for feat in feats or []:
            if feat.get("geometry"):
                yield dict(feat.get("properties") or {}), shape(feat["geometry"])
        return
    if suffix in (".shp", ".gpkg", ".zip"):
        try:
            import pyogrio
        except ImportError as exc:
            raise BoundaryError(
                f"{p.name}: reading Shapefile/GeoPackage needs the `pyogrio` package (not installed); "
                "install it (pip install pyogrio) or convert the file to GeoJSON (ogr2ogr -f GeoJSON out.geojson "
                f"{p.name})"
            ) from exc
        meta, _fids, geoms, field_data = pyogrio.raw.read(str(p))  # WKB geometries, column arrays
        from shapely import from_wkb

        names = list(meta["fields"])
        for i, wkb in enumerate(geoms):
            if wkb is not None:
                yield {n: field_data[j][i] for j, n in enumerate(names)}, from_wkb(wkb)
        return
    raise BoundaryError(f"{p.name}: unknown boundary format (expected .geojson, .json, .shp, .gpkg)")


def _first(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for k in keys:
        v = props.get(k)
        if v not in (None, ""):
            return str(v)
    return None


def match_feature(props: dict[str, Any], level: int, iso3: str | None, gaz: Any) -> tuple[str | None, str]:
    """(gazetteer code, how) for one feature's properties: "code", "name", or (None, "")."""
    kind = _KIND_OF_LEVEL.get(level)
    for v in props.values():
        if isinstance(v, str) and _CODE_RE.match(v):
            p = gaz.by_code(v)
            if p is not None and p.kind == kind and (iso3 is None or p.iso3 == iso3):
                return p.code, "code"
    name = _first(props, _NAME_KEYS.get(level, ("name", "NAME")))
    if not name or kind is None:
        return None, ""
    admin1 = _first(props, _ADMIN1_KEYS) if level == 2 else None
    for p in gaz.lookup(name, iso3=iso3, admin1=admin1, kinds={kind}, limit=3):
        if iso3 and p.iso3 != iso3:
            continue
        if admin1 and not gaz.same_admin1(p.admin1 or "", admin1, p.iso3):
            continue  # a same-named district in another province
        return p.code, "name"
    return None, ""


def _infer_iso3(props: dict[str, Any], gaz: Any) -> str | None:
    v = _first(props, _ISO_KEYS)
    if v:
        c = gaz.country(v[:3] if len(v) > 3 and v[:3].isalpha() else v)
        if c is not None:
            return c.iso3
    for v in props.values():
        if isinstance(v, str) and _CODE_RE.match(v):
            p = gaz.by_code(v)
            if p is not None:
                return p.iso3
    return None


def import_boundaries(
    path: str | Path,
    store_or_engine: Any,
    *,
    layer_name: str | None = None,
    level: int | None = None,
    iso3: str | None = None,
) -> ImportReport:
    """Read a boundary file, match its features to gazetteer codes and store it as layer `layer_name`
    (default: the file's stem). `level` is the admin level (default 2, districts); `iso3` restricts name
    matching to one country (default: inferred from the first feature's properties)."""
    from frontlines.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    level = level or 2
    layer = layer_name or Path(path).stem
    report = ImportReport(layer=layer, path=str(path), level=level)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for props, geom in read_features(path):
        if iso3 is None:
            iso3 = _infer_iso3(props, gaz)
        code, how = match_feature(props, level, iso3, gaz)
        report.features += 1
        name = _first(props, _NAME_KEYS.get(level, ("name",)))
        admin1 = _first(props, _ADMIN1_KEYS)
        if code:
            report.matched += 1
            report.matched_by_code += how == "code"
            report.matched_by_name += how == "name"
            seen[code] = seen.get(code, 0) + 1
        else:
            report.unmatched.append(f"{name} ({admin1})" if admin1 else str(name))
        minx, miny, maxx, maxy = geom.bounds
        rows.append({
            "layer": layer, "code": code, "source_code": _first(props, _ID_KEYS), "name": name,
            "admin1": admin1, "admin_level": level, "geometry": json.dumps(mapping(geom)),
            "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
        })  # fmt: skip
    report.duplicates = sorted(c for c, n in seen.items() if n > 1)
    engine = _engine(store_or_engine)
    ensure_table(engine)
    with engine.begin() as conn:
        conn.execute(delete(boundaries_table).where(boundaries_table.c.layer == layer))
        if rows:
            conn.execute(insert(boundaries_table), rows)
    return report


@dataclass(slots=True)
class BoundaryUnit:
    code: str | None
    name: str | None
    admin1: str | None
    geometry: BaseGeometry


class BoundaryLayer:
    """A stored layer's polygons with an STRtree for point-in-polygon."""

    def __init__(self, name: str, units: list[BoundaryUnit]) -> None:
        self.name = name
        self.units = units
        self.by_code = {u.code: u for u in units if u.code}
        self._tree = STRtree([u.geometry for u in units])

    def __len__(self) -> int:
        return len(self.units)

    def district_of_point(self, lat: float, lon: float) -> BoundaryUnit | None:
        """The unit whose polygon contains the point (the first one, where polygons overlap)."""
        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        return self.units[int(min(hits))] if len(hits) else None


def layer_names(store_or_engine: Any) -> list[tuple[str, int]]:
    """(layer, number of features) of every imported layer."""
    engine = _engine(store_or_engine)
    ensure_table(engine)
    from sqlalchemy import func

    t = boundaries_table
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(t.c.layer, func.count()).group_by(t.c.layer).order_by(t.c.layer))
        ]


def load_layer(store_or_engine: Any, layer: str) -> BoundaryLayer | None:
    """An imported layer by name (None when there is none)."""
    engine = _engine(store_or_engine)
    ensure_table(engine)
    t = boundaries_table
    q = select(t.c.code, t.c.name, t.c.admin1, t.c.geometry).where(t.c.layer == layer).order_by(t.c.id)
    with engine.connect() as conn:
        units = [BoundaryUnit(c, n, a, shape(json.loads(g))) for c, n, a, g in conn.execute(q)]
    return BoundaryLayer(layer, units) if units else None


def default_layer(store_or_engine: Any, iso3: str = "AFG") -> BoundaryLayer | None:
    """The imported admin-2 layer with the most units matched to `iso3`'s gazetteer codes, if any."""
    engine = _engine(store_or_engine)
    ensure_table(engine)
    t = boundaries_table
    from sqlalchemy import func

    prefix = {"AFG": "AF."}.get(iso3.upper())
    cond = [t.c.admin_level == 2, t.c.code.is_not(None)]
    if prefix:
        cond.append(t.c.code.like(prefix + "%"))
    q = (
        select(t.c.layer, func.count())
        .where(*cond)
        .group_by(t.c.layer)
        .order_by(func.count().desc(), t.c.layer)
    )
    with engine.connect() as conn:
        best = conn.execute(q).first()
    return load_layer(engine, best[0]) if best else None


def district_of_point(lat: float, lon: float, layer: BoundaryLayer) -> BoundaryUnit | None:
    """Point-in-polygon on a loaded layer (`load_layer` / `default_layer`)."""
    return layer.district_of_point(lat, lon)


def boundaries_import_command(
    file: Annotated[str, typer.Argument(help="GeoJSON, Shapefile or GeoPackage admin layer (WGS84).")],
    db: DbOption = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Layer name (default: the file name).")] = None,
    level: Annotated[int, typer.Option("--level", help="Admin level: 1 provinces, 2 districts.")] = 2,
    iso3: Annotated[
        str | None, typer.Option("--iso3", help="Country of the layer (default: inferred).")
    ] = None,
) -> None:
    """Import an admin boundary layer and match its features to gazetteer codes."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store

    if not Path(file).exists():
        typer.echo(f"error: {file}: no such file", err=True)
        raise typer.Exit(2)
    if level not in _KIND_OF_LEVEL:
        typer.echo("error: --level must be 1 or 2", err=True)
        raise typer.Exit(2)
    try:
        with open_store(resolve_db_url(db)) as store:
            report = import_boundaries(file, store, layer_name=layer, level=level, iso3=iso3)
    except (BoundaryError, ValueError, json.JSONDecodeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(report.summary())
    raise typer.Exit(0)
