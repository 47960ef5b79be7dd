# SPDX-License-Identifier: Apache-2.0
"""The pieces of tools/bench: systems under test, scenarios, the OpenFlow
client for flow-mod load, and the report."""
