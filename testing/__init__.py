"""Support for the tests and benchmarks that the installed package does not need.

``testing.toyfaces`` draws cartoon face sets (fast stand-ins for real or generated people);
``testing.browser`` drives the camera widget in a real JupyterLab with headless Chromium. Both
import ``faceswap_kit``; nothing in ``faceswap_kit`` imports them, and the wheel leaves them out
(``pyproject.toml`` packages only ``faceswap_kit*``). Run from the checkout: pytest puts its root
on ``sys.path``, the benchmarks put it there themselves.
"""
