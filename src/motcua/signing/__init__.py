"""Electronic results signed with the agency's certificate (PAdES, pyHanko) and their public check.

* ``certificates``: the agencies' signing certificates (development CA and certificates made
  here, or the agency's PKCS#12 / PEM files in production) and the trust roots;
* ``pades``: sign PDF bytes (PAdES baseline B, visible stamp), turn scanned images into PDF;
* ``services``: sign a dossier's result files when it is completed (called by
  ``dossiers.actions``), keeping a ``SignedResult`` record of each signed copy;
* ``providers``: who holds the key (the agency's certificate, a leader's personal certificate;
  remote signing later), ``personal``: leaders' PKCS#12 files, PIN, lock, revocation (issue #17);
* ``preview``: page images of result files for the approval page (pdftoppm, cached);
* ``verify``: check a PDF (intact, trusted signer, issued by us) or list a dossier's signed results.
"""
