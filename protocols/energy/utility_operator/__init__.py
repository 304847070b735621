"""The utility operator: commits every household's bill data of an epoch, publishes the
signed Merkle root on the ledger and hands each household its own receipts.

- :mod:`.receipts`: what is committed per (user, slot), the Merkle leaf, the receipt a
  household holds and its file, and how a receipt is checked;
- :mod:`.utility`: the operator (`UtilityOperator`);
- ``python -m protocols.energy.utility_operator``: the command line (:mod:`.cli`).
"""
from protocols.energy.utility_operator.receipts import (LEAF_DOMAIN, Receipt, ReceiptInvalid, ReceiptValues, check_receipt,
                                                load_receipts, receipt_leaf, receipt_leaf_bytes, save_receipts,
                                                verify_receipt)
from protocols.energy.utility_operator.utility import EpochReceipts, UtilityOperator, receipt_values

__all__ = ["EpochReceipts", "LEAF_DOMAIN", "Receipt", "ReceiptInvalid", "ReceiptValues", "UtilityOperator",
           "check_receipt", "load_receipts", "receipt_leaf", "receipt_leaf_bytes", "receipt_values",
           "save_receipts", "verify_receipt"]
