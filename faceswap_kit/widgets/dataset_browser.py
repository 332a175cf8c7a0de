"""Browse a face set in a notebook: a grid of faces with paging, sorting, selection and reversible
removal (selected faces move to the set's ``removed/`` folder)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..dataset.curate import read_table, remove_faces, restore_faces
from ..errors import WidgetError
from ..io import read_image

SORTS = ("id", "sharpness", "yaw", "pitch", "score")


class DatasetBrowser:
    """A paged grid of a face set's faces; click faces to select them, then remove them.

    Args:
        path: the face set folder.
        columns, rows: grid shape per page.
        thumb: thumbnail width in pixels.
        sort: order of the faces: ``id``, ``sharpness`` (blurriest first), ``yaw``, ``pitch``
            or ``score`` (least sure first).

    Display ``browser.widget`` (or just ``browser`` as the last line of a cell).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        columns: int = 6,
        rows: int = 3,
        thumb: int = 96,
        sort: str = "id",
    ) -> None:
        try:
            import ipywidgets as widgets
        except ImportError as exc:  # pragma: no cover - ipywidgets is a dependency
            raise WidgetError(
                "the face set browser needs ipywidgets (pip install ipywidgets)"
            ) from exc
        if sort not in SORTS:
            raise WidgetError(f"sort must be one of {SORTS}, got {sort!r}")
        self.path = Path(path)
        self.columns, self.rows, self.thumb = int(columns), int(rows), int(thumb)
        self.selected: set[int] = set()
        self.page = 0
        self._widgets = widgets
        self._sort = widgets.Dropdown(
            options=SORTS, value=sort, description="sort", layout={"width": "180px"}
        )
        self._prev = widgets.Button(description="◀", layout={"width": "48px"})
        self._next = widgets.Button(description="▶", layout={"width": "48px"})
        self._label = widgets.Label()
        self._select_page = widgets.Button(description="select page")
        self._clear = widgets.Button(description="clear selection")
        self._remove = widgets.Button(description="remove selected", button_style="danger")
        self._restore = widgets.Button(description="restore removed")
        self._status = widgets.Label()
        self._grid = widgets.GridBox(
            layout=widgets.Layout(
                grid_template_columns=f"repeat({self.columns}, {self.thumb + 8}px)"
            )
        )
        self._prev.on_click(lambda _: self.show_page(self.page - 1))
        self._next.on_click(lambda _: self.show_page(self.page + 1))
        self._sort.observe(lambda _: self.refresh(), names="value")
        self._select_page.on_click(lambda _: self._select_visible())
        self._clear.on_click(lambda _: self._clear_selection())
        self._remove.on_click(lambda _: self.remove_selected())
        self._restore.on_click(lambda _: self.restore())
        self.widget = widgets.VBox(
            [
                widgets.HBox([self._prev, self._label, self._next, self._sort]),
                self._grid,
                widgets.HBox([self._select_page, self._clear, self._remove, self._restore]),
                self._status,
            ]
        )
        self.refresh()

    # --- data -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the face set (after extraction or curation) and redraw."""
        try:
            self.table = read_table(self.path)
        except Exception as exc:  # noqa: BLE001 - an empty set is shown, not raised
            self.table = None
            self.order = np.zeros(0, dtype=np.int64)
            self._grid.children = ()
            self._label.value = f"no faces ({exc})"
            return
        key = self._sort.value
        values = {"id": self.table.ids, "sharpness": self.table.sharpness,
                  "yaw": self.table.yaw, "pitch": self.table.pitch, "score": self.table.score}[key]  # fmt: skip
        self.order = self.table.ids[np.argsort(values, kind="stable")]
        self.selected &= set(int(i) for i in self.table.ids)
        self.show_page(min(self.page, self.pages - 1))

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.order) // self.per_page))

    def page_ids(self) -> list[int]:
        start = self.page * self.per_page
        return [int(i) for i in self.order[start : start + self.per_page]]

    # --- view -------------------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        self.page = int(np.clip(page, 0, self.pages - 1))
        widgets = self._widgets
        cells = []
        position = {int(i): k for k, i in enumerate(self.table.ids)} if self.table else {}
        for face_id in self.page_ids():
            image_path = self.table.image_path(face_id)
            image = widgets.Image(
                value=image_path.read_bytes(),
                format=image_path.suffix.lstrip(".").replace("jpg", "jpeg"),
                layout={"width": f"{self.thumb}px"},
            )
            sharp = self.table.sharpness[position[face_id]]
            toggle = widgets.ToggleButton(
                value=face_id in self.selected,
                description=f"{face_id:06d} s{sharp:.0f}",
                layout={"width": f"{self.thumb}px"},
            )
            toggle.observe(self._toggler(face_id), names="value")
            cells.append(widgets.VBox([image, toggle]))
        self._grid.children = tuple(cells)
        self._label.value = f"page {self.page + 1}/{self.pages} · {len(self.order)} faces"
        self._update_status()

    def figure(self):
        """A still picture of the current page (matplotlib ``Figure``): each face titled with its
        id and sharpness, selected faces framed in red. It stays in a saved notebook, where the
        widget itself needs a running kernel."""
        import matplotlib.pyplot as plt

        ids = self.page_ids()
        columns = max(1, min(self.columns, len(ids)))
        rows = max(1, -(-len(ids) // columns))
        fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows), squeeze=False)
        position = {int(i): k for k, i in enumerate(self.table.ids)} if self.table else {}
        for ax in axes.flat:
            ax.set_axis_off()
        for ax, face_id in zip(axes.flat, ids, strict=False):
            ax.imshow(read_image(self.table.image_path(face_id)))
            sharp = self.table.sharpness[position[face_id]]
            ax.set_title(f"{face_id:06d} s{sharp:.1f}", fontsize=8)
            if face_id in self.selected:
                ax.set_axis_on()
                ax.set_xticks([]), ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_color("red"), spine.set_linewidth(3)
        sort = self._sort.value
        fig.suptitle(f"{self._label.value} · sorted by {sort}", fontsize=9)
        fig.tight_layout()
        return fig

    def _toggler(self, face_id: int):
        def toggle(change) -> None:
            if change["new"]:
                self.selected.add(face_id)
            else:
                self.selected.discard(face_id)
            self._update_status()

        return toggle

    def _update_status(self) -> None:
        self._status.value = f"{len(self.selected)} selected"

    def _select_visible(self) -> None:
        self.selected |= set(self.page_ids())
        self.show_page(self.page)

    def _clear_selection(self) -> None:
        self.selected.clear()
        self.show_page(self.page)

    # --- actions ----------------------------------------------------------------------------
    def select(self, ids) -> None:
        """Select faces by id (as clicking them would)."""
        self.selected |= {int(i) for i in ids}
        self.show_page(self.page)

    def remove_selected(self) -> int:
        """Move the selected faces to ``removed/``. Returns how many."""
        moved = remove_faces(self.path, sorted(self.selected))
        self.selected.clear()
        self.refresh()
        self._status.value = f"moved {moved} face(s) to {self.path / 'removed'}"
        return moved

    def restore(self) -> int:
        """Bring every removed face back."""
        restored = restore_faces(self.path)
        self.refresh()
        self._status.value = f"restored {restored} face(s)"
        return restored

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
