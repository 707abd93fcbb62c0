"""Exchanges with KoboToolbox and ODK from the coordinator's pages: an XLSForm imported
as a questionnaire (report, preview, confirmation), any questionnaire exported as an
XLSForm, a data export imported as responses of channel ``import`` (trial run, then
import, on the job queue)."""
