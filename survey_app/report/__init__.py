"""The diagnostic report (HTML, PDF), its slides and the residents' public results page.

``gather`` reads every figure from the database into plain values (small cells
suppressed), ``build`` renders the HTML and the PDF from one template, ``slides`` the
python-pptx deck, ``services`` runs the build as a background job and publishes the
results page. pandas, matplotlib, WeasyPrint and python-pptx are imported only inside
the functions that use them.
"""
