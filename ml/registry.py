"""The model registry: every trained version kept, one champion, the history of who was champion.

``ModelRegistry`` is what the assets and the ``leadhouse-model`` command receive; ``LocalModelRegistry``
keeps it in a folder (``LEADHOUSE_MODEL_DIR``, default ``models/``)::

    models/conversion/
        20261101T000000Z-1a2b3c4d/          one version
            model.skops                     the calibrated scikit-learn model
            card.json, card.md              the model card (data, features, metrics, baseline, gate)
            reference.json                  what explanations and drift checks compare with
            holdout.parquet                 the holdout rows, their features and predictions
            calibration.png, roc.png        the card's plots
        champion_history.jsonl              every promotion and rollback, oldest first: the record
        champion.json                       the version that scores leads (the history's outcome)

Models are saved with skops, never pickle: loading a pickle runs whatever code the file names.
skops loads only the types it trusts by default plus ``TRUSTED_TYPES`` below, listed by name
(what a calibrated logistic regression or gradient-boosting pipeline needs); a file naming any
other type is refused. The file's sha256 is in the card, and a file that does not match it is
refused too (``TamperedModel``).

A version folder is written under a temporary name and renamed into place, and the champion
pointer is replaced atomically, so a reader sees a whole version or none.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from leadhouse.files import write_text_atomically

MODEL_NAME = "conversion"
MODEL_FILE = "model.skops"
# Beyond skops' defaults, the types a calibrated pipeline of ml.train holds (tests/ml checks both
# candidates and both calibrations need nothing else).
TRUSTED_TYPES = (
    "functools.partial",
    "ml.encoding.StringCodes",
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
)


class RegistryError(Exception):
    """A registry operation that cannot be done; the message says why and what to do."""


class TamperedModel(RegistryError):
    """A model file that does not match its card, or names a type nobody trusted."""


@dataclass(frozen=True)
class ChampionEvent:
    at: str
    action: str  # promote | rollback
    version: str
    previous: str | None
    reason: str


class ModelRegistry(Protocol):
    def save(
        self,
        model: Any,
        card: dict[str, Any],
        reference: dict[str, Any],
        holdout: pl.DataFrame,
        plots: dict[str, bytes],
    ) -> str: ...
    def versions(self) -> list[str]: ...
    def card(self, version: str) -> dict[str, Any]: ...
    def update_card(self, version: str, **fields: Any) -> None: ...
    def reference(self, version: str) -> dict[str, Any]: ...
    def holdout(self, version: str) -> pl.DataFrame: ...
    def folder_of(self, version: str) -> Path: ...
    def load(self, version: str) -> Any: ...
    def champion(self) -> str | None: ...
    def promote(self, version: str, reason: str) -> ChampionEvent: ...
    def rollback(self, reason: str = "rollback") -> ChampionEvent: ...
    def history(self) -> list[ChampionEvent]: ...


def new_version(created_at: datetime, fingerprint: str) -> str:
    """``YYYYMMDDTHHMMSSZ-<8 hex of the data fingerprint>``: sorts by time, names the data (a
    second version of the same data in the same second gets ``-2``)."""
    return f"{created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fingerprint[:8]}"


def card_markdown(card: dict[str, Any]) -> str:
    """The card for people (card.md)."""
    data, metrics, baseline = card["data"], card["metrics"]["holdout"], card["baseline"]
    rows = [
        ("ROC AUC", "roc_auc"),
        ("PR AUC", "pr_auc"),
        ("Brier", "brier"),
        ("log loss", "log_loss"),
        ("expected calibration error", "ece"),
        ("top-decile lift", "top_decile_lift"),
        ("top-decile capture", "top_decile_capture"),
    ]
    lines = [
        f"# Conversion model {card.get('version', '')}",
        "",
        f"- estimator: {card['estimator']} (calibrated: {card['calibration']}); "
        f"candidates' validation ROC AUC: "
        + ", ".join(f"{k} {v['validation_roc_auc']:.4f}" for k, v in card["candidates"].items()),
        f"- data: leads first captured {data['first_seen_from']} to {data['first_seen_to']}, as of "
        f"{card['as_of']}; features at {data['cutoff_days']} days after capture, label: won within "
        f"{data['horizon_days']} days",
        "- rows (positives): "
        + ", ".join(f"{k} {v:,} ({data['positives'][k]:,})" for k, v in data["rows"].items()),
        f"- data fingerprint: `{data['fingerprint']}`; code version: `{card['code_version']}`; "
        f"trained in {card['training_seconds']} s",
        "",
        f"## Holdout (the newest {data['rows']['holdout']:,} rows)",
        "",
        f"| metric | model | {baseline['name'] if baseline else 'no rule score in the data'} |",
        "|---|---|---|",
        *(
            f"| {label} | {metrics[key]:.4f} | "
            + (f"{baseline['holdout'][key]:.4f}" if baseline and key in baseline["holdout"] else "")
            + " |"
            for label, key in rows
        ),
        "",
        "![calibration](calibration.png) ![ROC](roc.png)",
        "",
        "## Features",
        "",
        "By importance: " + ", ".join(card["features"]["importance_order"]),
    ]
    if card["features"]["dropped"]:
        lines.append("\nLeft out: " + "; ".join(f"{k} ({v})" for k, v in card["features"]["dropped"].items()))
    if "gate" in card:
        gate = card["gate"]
        lines += ["", f"## Champion gate: {'passed' if gate['passed'] else 'failed'}", ""]
        lines += [f"- {reason}" for reason in gate["reasons"]]
    return "\n".join(lines) + "\n"


class LocalModelRegistry:
    """The registry in a folder: ``<root>/conversion/`` (see the module docstring)."""

    def __init__(self, root: Path, name: str = MODEL_NAME) -> None:
        self.root = Path(root)
        self.folder = self.root / name

    # -- versions -------------------------------------------------------------------------
    def _version_dir(self, version: str) -> Path:
        path = self.folder / version
        if not version or "/" in version or version.startswith(".") or not (path / "card.json").exists():
            known = ", ".join(self.versions()[-5:]) or "none yet"
            raise RegistryError(f"no model version {version!r} in {self.folder} (latest: {known})")
        return path

    def versions(self) -> list[str]:
        """Every saved version, oldest first."""
        if not self.folder.exists():
            return []
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / "card.json").exists()
        )

    def save(
        self,
        model: Any,
        card: dict[str, Any],
        reference: dict[str, Any],
        holdout: pl.DataFrame,
        plots: dict[str, bytes],
    ) -> str:
        version = new_version(datetime.fromisoformat(card["created_at"]), card["data"]["fingerprint"])
        # The same data trained twice within a second: the second is -2, and so on.
        base, n = version, 1
        while (self.folder / version).exists():
            n += 1
            version = f"{base}-{n}"
        final = self.folder / version
        staging = self.folder / f".{version}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        import skops.io as sio  # here, not at import: it imports all of scikit-learn (3 s)

        payload = sio.dumps(model)
        card = card | {
            "version": version,
            "model_file": MODEL_FILE,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
        (staging / MODEL_FILE).write_bytes(payload)
        (staging / "card.json").write_text(json.dumps(card, indent=2, default=str) + "\n")
        (staging / "card.md").write_text(card_markdown(card))
        (staging / "reference.json").write_text(json.dumps(reference, default=str) + "\n")
        holdout.write_parquet(staging / "holdout.parquet")
        for name, content in plots.items():
            (staging / name).write_bytes(content)
        staging.rename(final)
        return version

    def card(self, version: str) -> dict[str, Any]:
        return json.loads((self._version_dir(version) / "card.json").read_text())

    def update_card(self, version: str, **fields: Any) -> None:
        """Add ``fields`` to the card (e.g. the gate's verdict), both files replaced atomically."""
        path = self._version_dir(version)
        card = self.card(version) | fields
        write_text_atomically(path / "card.json", json.dumps(card, indent=2, default=str) + "\n")
        write_text_atomically(path / "card.md", card_markdown(card))

    def reference(self, version: str) -> dict[str, Any]:
        return json.loads((self._version_dir(version) / "reference.json").read_text())

    def holdout(self, version: str) -> pl.DataFrame:
        return pl.read_parquet(self._version_dir(version) / "holdout.parquet")

    def folder_of(self, version: str) -> Path:
        return self._version_dir(version)

    def load(self, version: str) -> Any:
        """The model of ``version``, after checking the file is the one saved and names no type
        beyond skops' defaults and ``TRUSTED_TYPES``."""
        path = self._version_dir(version)
        card = self.card(version)
        payload = (path / MODEL_FILE).read_bytes()
        if hashlib.sha256(payload).hexdigest() != card["sha256"]:
            raise TamperedModel(
                f"{path / MODEL_FILE}: its sha256 is not the one in card.json; the file was "
                "changed after it was saved. Refusing to load it: retrain, or promote another version."
            )
        import skops.io as sio

        untrusted = sorted(set(sio.get_untrusted_types(data=payload)) - set(TRUSTED_TYPES))
        if untrusted:
            raise TamperedModel(
                f"{path / MODEL_FILE}: names types nobody trusted ({', '.join(untrusted)}); "
                "refusing to load it."
            )
        return sio.loads(payload, trusted=list(TRUSTED_TYPES))

    # -- the champion ---------------------------------------------------------------------
    def champion(self) -> str | None:
        """The version in force after the last promotion or rollback. The history is the record
        (one appended line per change); ``champion.json`` is a copy of its outcome for people and
        tools, so a crash between the two never leaves them disagreeing about what scores."""
        stack = self._reigns()
        return stack[-1] if stack else None

    def _reigns(self) -> list[str]:
        """The history replayed as a stack: a promotion pushes, a rollback pops back."""
        stack: list[str] = []
        for event in self.history():
            if event.action == "rollback":
                if stack:
                    stack.pop()
                if not stack or stack[-1] != event.version:
                    stack.append(event.version)
            else:
                stack.append(event.version)
        return stack

    def history(self) -> list[ChampionEvent]:
        path = self.folder / "champion_history.jsonl"
        if not path.exists():
            return []
        return [ChampionEvent(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]

    def _set_champion(self, version: str, action: str, reason: str) -> ChampionEvent:
        event = ChampionEvent(
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            action=action,
            version=version,
            previous=self.champion(),
            reason=reason,
        )
        with open(self.folder / "champion_history.jsonl", "a", encoding="utf-8") as history:
            history.write(json.dumps(event.__dict__) + "\n")
        write_text_atomically(
            self.folder / "champion.json", json.dumps({"version": version, "since": event.at}) + "\n"
        )
        return event

    def promote(self, version: str, reason: str) -> ChampionEvent:
        """Make ``version`` the champion (the history keeps the one it replaces)."""
        self._version_dir(version)
        if version == self.champion():
            raise RegistryError(f"{version} is already the champion")
        return self._set_champion(version, "promote", reason)

    def rollback(self, reason: str = "rollback") -> ChampionEvent:
        """Make the champion before the current one champion again."""
        stack = self._reigns()
        if not stack:
            raise RegistryError(f"no champion in {self.folder}: nothing to roll back")
        if len(stack) < 2:
            raise RegistryError(f"{stack[-1]} is the first champion: there is none before it to roll back to")
        return self._set_champion(stack[-2], "rollback", reason)
