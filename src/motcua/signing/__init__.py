"""Electronic results signed with the agency's certificate (PAdES, pyHanko) and their public check.

* ``certificates``: the agencies' signing certificates (development CA and certificates made
  here, or the agency's PKCS#12 / PEM files in production) and the trust roots;
* ``pades``: sign PDF bytes (PAdES baseline B, visible stamp), turn scanned images into PDF;
* ``services``: sign a dossier's result files when it is completed (called by
  ``dossiers.actions``), keeping a ``SignedResult`` record of each signed copy;
* ``verify``: check a PDF (intact, trusted signer, issued by us) or list a dossier's signed results.
"""
