"""The notebook's section 3, feature engineering: one frame per feature, merged one by one.

Part of the re-implementation of the study's notebook (``benchmarks.notebook``): the
``groupby`` frames and row-wise ``apply`` lambdas are the notebook's own, kept for the
benchmark's sake, not improved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def build_features(df2: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with the study's eleven features (the notebook's section 3)."""
    df2_returns = df2.loc[df2["quantity"] < 0, :]
    df2_purchases = df2.loc[df2["quantity"] >= 0, :].copy()

    df_ref = df2.drop(
        ["invoice_no", "stock_code", "quantity", "invoice_date", "unit_price", "country"], axis=1
    ).drop_duplicates(ignore_index=True)

    df2_purchases.loc[:, "gross_revenue"] = (
        df2_purchases.loc[:, "quantity"] * df2_purchases.loc[:, "unit_price"]
    )
    df_ref = _add_revenue_recency_invoices(df_ref, df2, df2_purchases)
    df_ref = _add_items_products_ticket(df_ref, df2_purchases)
    df_ref = _add_purchase_rhythm(df_ref, df2, df2_purchases)
    df_ref = _add_returns_and_baskets(df_ref, df2_returns, df2_purchases)

    df_ref = df_ref.dropna()
    return df_ref.reset_index(drop=True)


def _add_revenue_recency_invoices(
    df_ref: pd.DataFrame, df2: pd.DataFrame, df2_purchases: pd.DataFrame
) -> pd.DataFrame:
    """Gross revenue, recency and invoice count, as the notebook merges them."""
    df_monetary = (
        df2_purchases.loc[:, ["customer_id", "gross_revenue"]]
        .groupby("customer_id")
        .sum()
        .reset_index()
    )
    df_ref = df_ref.merge(df_monetary, on="customer_id", how="left")

    df_recency = (
        df2_purchases.loc[:, ["customer_id", "invoice_date"]]
        .groupby("customer_id")
        .max()
        .reset_index()
    )
    df_recency["recency_days"] = (df2["invoice_date"].max() - df_recency["invoice_date"]).dt.days
    df_recency = df_recency[["customer_id", "recency_days"]].copy()
    df_ref = df_ref.merge(df_recency, on="customer_id", how="left")

    df_freq = (
        df2_purchases.loc[:, ["customer_id", "invoice_no"]]
        .drop_duplicates()
        .groupby("customer_id")
        .count()
        .reset_index()
        .rename(columns={"invoice_no": "qtde_invoices"})
    )
    df_ref = df_ref.merge(df_freq, on="customer_id", how="left")
    return df_ref


def _add_items_products_ticket(df_ref: pd.DataFrame, df2_purchases: pd.DataFrame) -> pd.DataFrame:
    """Items, products (lines) and the average ticket."""
    df_freq = (
        df2_purchases.loc[:, ["customer_id", "quantity"]]
        .groupby("customer_id")
        .sum()
        .reset_index()
        .rename(columns={"quantity": "qtde_items"})
    )
    df_ref = df_ref.merge(df_freq, on="customer_id", how="left")

    df_freq = (
        df2_purchases.loc[:, ["customer_id", "stock_code"]]
        .groupby("customer_id")
        .count()
        .reset_index()
        .rename(columns={"stock_code": "qtde_products"})
    )
    df_ref = df_ref.merge(df_freq, on="customer_id", how="left")

    df_avg_ticket = (
        df2_purchases.loc[:, ["customer_id", "gross_revenue"]]
        .groupby("customer_id")
        .mean()
        .reset_index()
        .rename(columns={"gross_revenue": "avg_ticket"})
    )
    df_ref = df_ref.merge(df_avg_ticket, on="customer_id", how="left")
    return df_ref


def _add_purchase_rhythm(
    df_ref: pd.DataFrame, df2: pd.DataFrame, df2_purchases: pd.DataFrame
) -> pd.DataFrame:
    """Average days between purchases and the frequency."""
    df_aux = (
        df2[["customer_id", "invoice_date"]]
        .drop_duplicates()
        .sort_values(["customer_id", "invoice_date"], ascending=[False, False])
    )
    df_aux["next_customer_id"] = df_aux["customer_id"].shift()
    df_aux["previous_date"] = df_aux["invoice_date"].shift()
    df_aux["avg_recency_days"] = df_aux.apply(
        lambda x: (
            (x["invoice_date"] - x["previous_date"]).days
            if x["customer_id"] == x["next_customer_id"]
            else np.nan
        ),
        axis=1,
    )
    df_aux = df_aux.drop(["invoice_date", "next_customer_id", "previous_date"], axis=1).dropna()
    df_avg_recency_days = df_aux.groupby("customer_id").mean().reset_index()
    df_ref = df_ref.merge(df_avg_recency_days, on="customer_id", how="left")

    df_aux = (
        df2_purchases[["customer_id", "invoice_no", "invoice_date"]]
        .drop_duplicates()
        .groupby("customer_id")
        .agg(
            max_=("invoice_date", "max"),
            min_=("invoice_date", "min"),
            days_=("invoice_date", lambda x: ((x.max() - x.min()).days) + 1),
            buy_=("invoice_no", "count"),
        )
        .reset_index()
    )
    df_aux["frequency"] = df_aux[["buy_", "days_"]].apply(
        lambda x: x["buy_"] / x["days_"] if x["days_"] != 0 else 0, axis=1
    )
    df_ref = df_ref.merge(df_aux[["customer_id", "frequency"]], on="customer_id", how="left")
    return df_ref


def _add_returns_and_baskets(
    df_ref: pd.DataFrame, df2_returns: pd.DataFrame, df2_purchases: pd.DataFrame
) -> pd.DataFrame:
    """Returned items and the two basket sizes."""
    df_returns = (
        df2_returns[["customer_id", "quantity"]]
        .groupby("customer_id")
        .sum()
        .reset_index()
        .rename(columns={"quantity": "qtde_returns"})
    )
    df_returns["qtde_returns"] = df_returns["qtde_returns"] * -1
    df_ref = df_ref.merge(df_returns, how="left", on="customer_id")
    df_ref.loc[df_ref["qtde_returns"].isna(), "qtde_returns"] = 0

    df_aux = (
        df2_purchases.loc[:, ["customer_id", "invoice_no", "quantity"]]
        .groupby("customer_id")
        .agg(n_purchase=("invoice_no", "nunique"), n_products=("quantity", "sum"))
        .reset_index()
    )
    df_aux["avg_basket_size"] = df_aux["n_products"] / df_aux["n_purchase"]
    df_ref = df_ref.merge(df_aux[["customer_id", "avg_basket_size"]], how="left", on="customer_id")

    df_aux = (
        df2_purchases.loc[:, ["customer_id", "invoice_no", "stock_code"]]
        .groupby("customer_id")
        .agg(n_purchase=("invoice_no", "nunique"), n_products=("stock_code", "nunique"))
        .reset_index()
    )
    df_aux["avg_unique_basket_size"] = df_aux["n_products"] / df_aux["n_purchase"]
    df_ref = df_ref.merge(
        df_aux[["customer_id", "avg_unique_basket_size"]], how="left", on="customer_id"
    )
    return df_ref
