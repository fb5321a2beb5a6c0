"""Running `evolve` on a Ray cluster: generator actors write children,
evaluator actors run them in locked-down sandbox pools on their nodes, and
the driver keeps the archive, the store and the live view.

- `cluster`: joining or starting the cluster, resource checks, secrets;
- `evaluators`: evaluator actors and the pool that spreads a batch over them;
- `generators`: generator actors and the completer that splits a batch's prompts;
- `backends`: both behind the runner's `Backends`, for `start_run(..., ray=...)`.

Named `distributed`, not `ray`, so that it never shadows the `ray` package.
Ray is imported only when a run asks for it. See docs/scale.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openelm._lazy import lazy_exports

# Where each public name lives: type checkers read these imports, and so
# does `lazy_exports`, which imports a name's module on first use.
if TYPE_CHECKING:
    from openelm.distributed.backends import ray_backends
    from openelm.distributed.cluster import ClusterError, RayOptions, RayOptionsError
    from openelm.distributed.evaluators import RayEvaluatorPool
    from openelm.distributed.generators import RayCompleter

__all__ = [
    "ClusterError",
    "RayCompleter",
    "RayEvaluatorPool",
    "RayOptions",
    "RayOptionsError",
    "ray_backends",
]

__getattr__, __dir__ = lazy_exports(__name__, globals())
