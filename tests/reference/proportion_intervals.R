# Reference intervals of R's svyciprop for every method the Python library implements.
#
# Usage (from the project root):
#   Rscript tests/reference/proportion_intervals.R tests/reference [../shared/testdata/r_survey]
# Reads town_survey.csv and the census files (as town_survey.R does) and, when the
# folder of R's API samples is given, survey_apiclus1.csv; writes
# proportion_intervals.csv (key, value). Keys: <design>.svyciprop_<method>.<variable>.
# <estimate|se|ci_low|ci_high> and <design>.svyby_ciprop_<method>.<variable>.<by>.
# <domain>.<estimate|se|ci_l|ci_u>.<variable>, as in town_figures.csv.
# Produced with R survey 4.1.1; the Python tests quote the R call above each comparison.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
refdir <- if (length(args) >= 1) args[1] else "tests/reference"
apidir <- if (length(args) >= 2) args[2] else NA

town <- read.csv(file.path(refdir, "town_survey.csv"))
margins <- read.csv(file.path(refdir, "town_census_margins.csv"))
cells <- read.csv(file.path(refdir, "town_census_cells.csv"))
town$renonce <- ifelse(town$renoncement_soins == "nsp", NA,
                       as.numeric(town$renoncement_soins == "oui"))

figs <- new.env()
put <- function(key, value) assign(key, as.vector(value), envir = figs)
put_ciprop <- function(key, p) {
  put(paste0(key, ".estimate"), as.vector(p))
  put(paste0(key, ".se"), sqrt(as.vector(attr(p, "var"))))
  put(paste0(key, ".ci_low"), attr(p, "ci")[1])
  put(paste0(key, ".ci_high"), attr(p, "ci")[2])
}
put_by <- function(key, tab) {  # svyby: key.<domain>.<estimate|se|ci_l|ci_u>.<variable>
  info <- attr(tab, "svyby")
  m <- length(info$margins)
  k <- info$nstats
  blocks <- c("estimate", unlist(lapply(info$vartype, function(v)
    if (v == "ci") c("ci_l", "ci_u") else v)))
  for (r in seq_len(nrow(tab))) for (b in seq_along(blocks)) for (j in seq_len(k))
    put(paste(key, rownames(tab)[r], blocks[b], info$variables[j], sep = "."),
        tab[r, m + (b - 1) * k + j])
}
margin_df <- function(var) {
  m <- margins[margins$variable == var, c("category", "count")]
  setNames(data.frame(m$category, m$count), c(var, "Freq"))
}
pop <- lapply(c("district", "age_band", "sex"), margin_df)
cells_df <- data.frame(age_band = cells$age_band, sex = cells$sex, Freq = cells$count)

# The designs of town_survey.R.
des0 <- svydesign(ids = ~1, weights = ~base_weight, data = town)
rk <- rake(des0, list(~district, ~age_band, ~sex), pop,
           control = list(maxit = 100, epsilon = 1e-10))
rk_default <- rake(des0, list(~district, ~age_band, ~sex), pop)
ps <- postStratify(des0, ~age_band + sex, cells_df)
tr <- trimWeights(rk, upper = 2.5 * mean(weights(rk)), lower = 0.6 * mean(weights(rk)),
                  strict = TRUE)
designs <- list(unweighted = des0, rake = rk, rake_default = rk_default,
                poststrat = ps, trim = tr)
methods <- c("logit", "xlogit", "mean", "beta", "asin")

for (nm in names(designs)) {
  d <- designs[[nm]]
  for (method in methods) {
    put_ciprop(paste0(nm, ".svyciprop_", method, ".sans_medecin_traitant"),
               svyciprop(~sans_medecin_traitant, d, method = method))
    put_ciprop(paste0(nm, ".svyciprop_", method, ".renonce"),
               svyciprop(~renonce, d, method = method, na.rm = TRUE))
    put_by(paste0(nm, ".svyby_ciprop_", method, ".sans_medecin_traitant.district"),
           svyby(~sans_medecin_traitant, ~district, d, svyciprop, method = method,
                 vartype = c("se", "ci")))
  }
}

if (!is.na(apidir)) {
  # One-stage cluster sample with fpc: the degrees of freedom are clusters - 1.
  apiclus1 <- read.csv(file.path(apidir, "survey_apiclus1.csv"))
  apiclus1$sch_wide_yes <- apiclus1$sch.wide == "Yes"
  dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
  for (method in methods)
    put_ciprop(paste0("clus1.svyciprop_", method, ".sch_wide"),
               svyciprop(~sch_wide_yes, dclus1, method = method))
}

keys <- sort(ls(figs))
vals <- vapply(keys, function(k) get(k, envir = figs), numeric(1))
write.csv(data.frame(key = keys, value = sprintf("%.17g", vals)),
          file.path(refdir, "proportion_intervals.csv"), row.names = FALSE)
cat("wrote", length(keys), "figures\n")
